"""Pipelines CRUD through a real server: YAML and JSON bodies, the state machine underneath,
versions on update, archive on delete, validation, listing with a cursor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pipeline_harness import new_user, run_async, served, session_for, summarize_yaml
from serving import Server, client, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = served(tmp_path_factory, "pipelines")
    try:
        yield running
    finally:
        stop_server(running)


def test_create_from_yaml_is_a_published_state_machine(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            created = await api.create_yaml(summarize_yaml("from-yaml"))
            detail = await api.ok("GET", f"/api/pipelines/{created['id']}")
            return {"created": created, "detail": detail}

    got = run_async(main())
    created, detail = got["created"], got["detail"]
    assert created["name"] == "from-yaml"
    assert created["version"] == 1 and created["status"] == "active"
    assert created["definition"]["steps"][0]["id"] == "outline"
    assert detail["definition_asl"]["States"]["outline"]["Type"] == "Task"
    sfn = client(server.endpoint)
    machine = sfn.describe_state_machine(stateMachineArn=detail["state_machine_arn"])
    assert machine["name"] == f"pipeline-{created['id']}"
    assert json.loads(machine["definition"]) == detail["definition_asl"]
    versions = sfn.list_state_machine_versions(stateMachineArn=detail["state_machine_arn"])
    assert [v["stateMachineVersionArn"] for v in versions["stateMachineVersions"]] == [
        detail["state_machine_arn"] + ":1"
    ]
    assert detail["state_machine_version_arn"] == detail["state_machine_arn"] + ":1"


def test_create_from_json_wrapper_with_name_and_tags(server: Server) -> None:
    async def main() -> Any:
        session, api = await new_user(server.endpoint)
        async with session:
            document = {
                "name": "inner-name",
                "steps": [{"id": "only", "type": "transform", "prompt": "hello"}],
            }
            return await api.ok("POST", "/api/pipelines", 201, json={
                "name": "outer-name", "description": "d", "definition": document,
                "tags": ["a", "b"],
            })  # fmt: skip

    created = run_async(main())
    assert created["name"] == "outer-name"
    assert created["description"] == "d"
    assert created["tags"] == ["a", "b"]
    assert created["definition"]["name"] == "inner-name"


def test_invalid_definition_names_the_field(server: Server) -> None:
    async def main() -> tuple[int, Any, int, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            bad = "name: broken\nsteps:\n  - id: Bad-Id\n    type: transform\n    prompt: x\n"
            status, body = await api.call(
                "POST", "/api/pipelines", data=bad, headers={"Content-Type": "text/yaml"}
            )
            vstatus, vbody = await api.call(
                "POST", "/api/pipelines/validate", data=bad,
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip
            return status, body, vstatus, vbody

    status, body, vstatus, vbody = run_async(main())
    assert status == 400
    assert body["code"] == "PIPELINE_INVALID"
    assert any(issue["field"].startswith("steps[0].id") for issue in body["issues"])
    assert vstatus == 200
    assert vbody["valid"] is False
    assert any(issue["field"].startswith("steps[0].id") for issue in vbody["errors"])


def test_validate_accepts_a_good_definition(server: Server) -> None:
    async def main() -> Any:
        session, api = await new_user(server.endpoint)
        async with session:
            return await api.ok(
                "POST", "/api/pipelines/validate", data=summarize_yaml(),
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip

    result = run_async(main())
    assert result["valid"] is True
    assert result["errors"] == []


def test_update_publishes_a_new_version_only_when_the_definition_changes(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            created = await api.create_yaml(summarize_yaml("versions"))
            path = f"/api/pipelines/{created['id']}"
            renamed = await api.ok("PUT", path, json={"name": "renamed"})
            changed = await api.ok(
                "PUT", path, data=summarize_yaml("versions").replace("friendly", "formal"),
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip
            same = await api.ok(
                "PUT", path, data=summarize_yaml("versions").replace("friendly", "formal"),
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip
            versions = await api.ok("GET", f"{path}/versions")
            return {"renamed": renamed, "changed": changed, "same": same, "versions": versions}

    got = run_async(main())
    assert got["renamed"]["version"] == 1 and got["renamed"]["name"] == "renamed"
    assert got["changed"]["version"] == 2
    assert got["changed"]["definition"]["variables"] == {"tone": "formal"}
    assert got["same"]["version"] == 2
    arn = got["changed"]["state_machine_arn"]
    versions = client(server.endpoint).list_state_machine_versions(stateMachineArn=arn)
    assert sorted(v["stateMachineVersionArn"] for v in versions["stateMachineVersions"]) == [
        arn + ":1",
        arn + ":2",
    ]
    assert got["changed"]["state_machine_version_arn"] == arn + ":2"
    history = got["versions"]["versions"]
    assert [v["version"] for v in history] == [2, 1]
    assert history[1]["definition"]["variables"] == {"tone": "friendly"}
    assert history[0]["state_machine_version_arn"] == arn + ":2"


def test_delete_archives_and_listing_filters_by_status(server: Server) -> None:
    async def main() -> dict[str, Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            kept = await api.create_yaml(summarize_yaml("kept"))
            gone = await api.create_yaml(summarize_yaml("gone"))
            archived = await api.ok("DELETE", f"/api/pipelines/{gone['id']}")
            active = await api.ok("GET", "/api/pipelines")
            only_archived = await api.ok("GET", "/api/pipelines?status=archived")
            detail = await api.ok("GET", f"/api/pipelines/{gone['id']}")
            run_status, run_body = await api.call(
                "POST", f"/api/pipelines/{gone['id']}/run", json={"input_data": {"topic": "x"}}
            )
            bad_status, bad_body = await api.call("GET", "/api/pipelines?status=nope")
            return {
                "kept": kept, "gone": gone, "archived": archived, "active": active,
                "only_archived": only_archived, "detail": detail, "run": (run_status, run_body),
                "bad": (bad_status, bad_body),
            }  # fmt: skip

    got = run_async(main())
    assert got["archived"] == {"archived": True, "id": got["gone"]["id"], "status": "archived"}
    assert [p["id"] for p in got["active"]["pipelines"]] == [got["kept"]["id"]]
    assert [p["id"] for p in got["only_archived"]["pipelines"]] == [got["gone"]["id"]]
    assert got["detail"]["status"] == "archived"
    assert got["run"][0] == 404
    assert got["run"][1]["code"] == "PIPELINE_NOT_ACTIVE"
    assert got["bad"][0] == 400
    # The state machine stays (its runs stay readable).
    client(server.endpoint).describe_state_machine(stateMachineArn=got["gone"]["state_machine_arn"])


def test_listing_pages_with_a_cursor_newest_first(server: Server) -> None:
    async def main() -> tuple[list[str], list[str], Any]:
        session, api = await new_user(server.endpoint)
        async with session:
            ids = [(await api.create_yaml(summarize_yaml(f"p{i}")))["id"] for i in range(5)]
            seen: list[str] = []
            cursor = None
            while True:
                query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
                page = await api.ok("GET", "/api/pipelines" + query)
                assert len(page["pipelines"]) <= 2
                seen.extend(p["id"] for p in page["pipelines"])
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            bad = await api.call("GET", "/api/pipelines?cursor=garbage!")
            return ids, seen, bad

    ids, seen, bad = run_async(main())
    assert seen == list(reversed(ids))
    assert bad[0] == 400


def test_pipelines_belong_to_their_user(server: Server) -> None:
    async def main() -> tuple[int, int, Any]:
        session, owner = await new_user(server.endpoint)
        other_session, other = await new_user(server.endpoint)
        async with session, other_session:
            created = await owner.create_yaml(summarize_yaml("mine"))
            status, _ = await other.call("GET", f"/api/pipelines/{created['id']}")
            delete_status, _ = await other.call("DELETE", f"/api/pipelines/{created['id']}")
            listed = await other.ok("GET", "/api/pipelines")
            return status, delete_status, listed

    status, delete_status, listed = run_async(main())
    assert status == 404 and delete_status == 404
    assert listed["pipelines"] == []


def test_requests_need_credentials(server: Server) -> None:
    async def main() -> tuple[int, int]:
        session, api = await session_for(server.endpoint)
        async with session:
            listed, _ = await api.call("GET", "/api/pipelines")
            created, _ = await api.call(
                "POST", "/api/pipelines", data=summarize_yaml(),
                headers={"Content-Type": "application/yaml"},
            )  # fmt: skip
            return listed, created

    assert run_async(main()) == (401, 401)
