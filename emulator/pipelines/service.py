"""The pipelines service: stepIQ pipelines as ordinary state machines, and their runs.

    pipelines = Pipelines(services, secret_lookup=accounts.get_secret)
    await pipelines.start()          # recovers pending starts and deliveries, listens for finishes
    created = await pipelines.create_pipeline(user_id, yaml_text, "application/yaml")
    run = await pipelines.trigger_run(user_id, created["id"], {"topic": "x"}, "manual")
    await pipelines.stop()

A pipeline is a state machine named ``pipeline-<id>`` created with ``publish: true`` through
the Step Functions service; each change of its definition publishes a new version, and a run
pins the version current when it was triggered (StartExecution on the version ARN).  Deleting
archives.  Runs are handled in ``run_control`` (trigger, cancel, retry, review) and
``run_queries`` (listing, detail, usage); outbound webhooks in ``deliveries``.
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from emulator.accounts.plans import PlanLimitExceeded
from emulator.pipelines import records
from emulator.pipelines.pipeline_reads import PipelineReads
from emulator.pipelines.plan_gate import PlanGate
from emulator.pipelines.records import iso, machine_name
from emulator.pipelines.service_errors import (
    InvalidDefinition,
    ServiceError,
    pipeline_not_found,
)
from emulator.sfn import OPERATIONS, Caller, Services, SfnError
from emulator.store.execution_rows import next_seq
from emulator.store.schema_pipelines import pipeline_versions, pipelines

SecretLookup = Callable[[str, str, str | None], "str | None"]


class Pipelines(PipelineReads):
    """Pipelines CRUD, runs and deliveries for every user, over one emulator."""

    def __init__(self, services: Services, *, secret_lookup: SecretLookup | None = None) -> None:
        from emulator.pipelines.deliveries import Deliveries
        from emulator.pipelines.run_control import RunControl
        from emulator.pipelines.run_queries import RunQueries

        self.services = services
        self.caller = Caller(services.default_region, services.account)
        self.role_arn = f"arn:aws:iam::{services.account}:role/stepline-pipelines"
        self.runs = RunControl(self)
        self.queries = RunQueries(self)
        self.deliveries = Deliveries(self, secret_lookup)
        self._definitions: dict[tuple[str, int], Any] = {}
        # Told (user, pipeline id, the saved definition, or None once archived) after a
        # pipeline's definition is saved: the schedules keep the definition's ``schedule``.
        self.definition_saved: Callable[[str, str, Any | None], None] | None = None
        # The owners' plan limits (``plan_gate``); None (in-process use without accounts):
        # no plan applies.
        self.plan_gate: PlanGate | None = None

    def _saved(self, user_id: str, pipeline_id: str, pipeline: Any | None) -> None:
        if self.definition_saved is not None:
            self.definition_saved(user_id, pipeline_id, pipeline)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        await self.runs.start()
        await self.deliveries.start()

    async def stop(self) -> None:
        await self.deliveries.stop()
        await self.runs.stop()

    def now(self) -> datetime:
        return self.services.now()

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """One Step Functions API operation, as a client would call it."""
        result: Any = OPERATIONS[operation](self.services, self.caller, params)
        if inspect.isawaitable(result):
            result = await result
        out: dict[str, Any] = result
        return out

    async def machine_call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Create or update the state machine: a refusal is an invalid pipeline."""
        try:
            return await self.call(operation, params)
        except SfnError as error:
            raise InvalidDefinition(
                f"The compiled state machine was refused: {error.message}",
                "PIPELINE_INVALID",
                details={"aws_error": error.code},
            ) from None

    # ------------------------------------------------------------------ documents

    def parse(self, source: str | bytes, content_type: str | None) -> Any:
        """The pipeline document (YAML or JSON text) as a ``Pipeline``."""
        from emulator.pipelines import PipelineInvalid, parse_pipeline

        try:
            return parse_pipeline(source, content_type)
        except PipelineInvalid as invalid:
            raise InvalidDefinition(
                "Invalid pipeline definition", "PIPELINE_INVALID", issues=list(invalid.issues)
            ) from None

    def compile(self, pipeline: Any, user_id: str, pipeline_id: str) -> dict[str, Any]:
        from emulator.pipelines import PipelineInvalid, compile_pipeline

        cap = None
        if self.plan_gate is not None:
            cap = self.plan_gate.limits(user_id).agent_max_duration_seconds
        try:
            return compile_pipeline(
                pipeline, owner=user_id, pipeline_id=pipeline_id, agent_seconds_cap=cap
            )
        except PipelineInvalid as invalid:
            raise InvalidDefinition(
                "Invalid pipeline definition", "PIPELINE_INVALID", issues=list(invalid.issues)
            ) from None

    def pipeline_model(self, pipeline_id: str, version: int) -> Any:
        """The ``Pipeline`` of one stored version (parsed once)."""
        key = (pipeline_id, version)
        found = self._definitions.get(key)
        if found is None:
            with self.services.db.begin() as conn:
                row = conn.execute(
                    sa.select(pipeline_versions.c.definition).where(
                        pipeline_versions.c.pipeline_id == pipeline_id,
                        pipeline_versions.c.version == version,
                    )
                ).first()
            if row is None:
                raise pipeline_not_found()
            found = self.parse(row.definition, "application/json")
            self._definitions[key] = found
        return found

    async def validate_pipeline(
        self, user_id: str, source: str | bytes, content_type: str | None
    ) -> dict[str, Any]:
        """``{valid, errors, diagnostics}``: the document's issues, then the compiled ASL's."""
        try:
            pipeline = self.parse(source, content_type)
            asl = self.compile(pipeline, user_id, "validate")
        except InvalidDefinition as invalid:
            return {"valid": False, "errors": invalid.issues or [], "diagnostics": []}
        if self.plan_gate is not None:
            try:
                self.plan_gate.definition(user_id, pipeline)
            except PlanLimitExceeded as refused:  # stepIQ: {valid: false, errors, code, details}
                return {
                    "valid": False, "errors": [{"field": "", "message": refused.message}],
                    "code": refused.code, "details": refused.details, "diagnostics": [],
                }  # fmt: skip
        result = await self.call(
            "ValidateStateMachineDefinition", {"definition": json.dumps(asl), "type": "STANDARD"}
        )
        diagnostics = [
            {k: d[k] for k in ("severity", "code", "message", "location") if k in d}
            for d in result.get("diagnostics", [])
        ]
        return {"valid": result.get("result") == "OK", "errors": [], "diagnostics": diagnostics}

    # ------------------------------------------------------------------ pipelines

    async def create_pipeline(
        self,
        user_id: str,
        source: str | bytes,
        content_type: str | None,
        *,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        pipeline = self.parse(source, content_type)
        tags = records.tags(tags)
        if self.plan_gate is not None:
            self.plan_gate.new_pipeline(user_id)
            self.plan_gate.definition(user_id, pipeline)
        pipeline_id = str(uuid.uuid4())
        asl = self.compile(pipeline, user_id, pipeline_id)
        created = await self.machine_call(
            "CreateStateMachine",
            {
                "name": machine_name(pipeline_id),
                "definition": json.dumps(asl),
                "roleArn": self.role_arn,
                "publish": True,
                "versionDescription": "version 1",
            },
        )
        now = self.now()
        with self.services.db.begin() as conn:
            conn.execute(
                pipelines.insert().values(
                    id=pipeline_id,
                    seq=next_seq(conn, self.services.db.dialect),
                    user_id=user_id,
                    name=name or pipeline.name,
                    description=description if description is not None else pipeline.description,
                    tags=json.dumps(tags),
                    status="active",
                    version=1,
                    state_machine_arn=created["stateMachineArn"],
                    created_at=now,
                    updated_at=now,
                )
            )
            conn.execute(
                pipeline_versions.insert().values(
                    pipeline_id=pipeline_id,
                    version=1,
                    definition=records.document_json(pipeline),
                    definition_asl=json.dumps(asl),
                    state_machine_version_arn=created["stateMachineVersionArn"],
                    created_at=now,
                )
            )
        self._saved(user_id, pipeline_id, pipeline)
        return self.get_pipeline(user_id, pipeline_id)

    async def update_pipeline(
        self,
        user_id: str,
        pipeline_id: str,
        source: str | bytes | None,
        content_type: str | None,
        *,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        """A new version only when the definition changed; name, description and tags are
        the pipeline's, not a version's."""
        row = self.pipeline_row(user_id, pipeline_id)
        if row.status != "active":
            raise pipeline_not_found()
        values: dict[str, Any] = {}
        if source is not None:
            pipeline = self.parse(source, content_type)
            document = records.document_json(pipeline)
            with self.services.db.begin() as conn:
                current = conn.execute(
                    sa.select(pipeline_versions.c.definition).where(
                        pipeline_versions.c.pipeline_id == pipeline_id,
                        pipeline_versions.c.version == row.version,
                    )
                ).scalar_one()
            if document != current:
                if self.plan_gate is not None:
                    self.plan_gate.definition(user_id, pipeline)
                asl = self.compile(pipeline, user_id, pipeline_id)
                updated = await self.machine_call(
                    "UpdateStateMachine",
                    {
                        "stateMachineArn": row.state_machine_arn,
                        "definition": json.dumps(asl),
                        "publish": True,
                        "versionDescription": f"version {row.version + 1}",
                    },
                )
                version = row.version + 1
                with self.services.db.begin() as conn:
                    conn.execute(
                        pipeline_versions.insert().values(
                            pipeline_id=pipeline_id,
                            version=version,
                            definition=document,
                            definition_asl=json.dumps(asl),
                            state_machine_version_arn=updated["stateMachineVersionArn"],
                            created_at=self.now(),
                        )
                    )
                values["version"] = version
                self._saved(user_id, pipeline_id, pipeline)
        if name is not None:
            values["name"] = name
        if description is not None:
            values["description"] = description
        if tags is not None:
            values["tags"] = json.dumps(records.tags(tags))
        if values:
            values["updated_at"] = self.now()
            with self.services.db.begin() as conn:
                conn.execute(
                    pipelines.update().where(pipelines.c.id == pipeline_id).values(**values)
                )
        return self.get_pipeline(user_id, pipeline_id)

    async def archive_pipeline(self, user_id: str, pipeline_id: str) -> dict[str, Any]:
        """DELETE archives (stepIQ's docs: "Archive pipeline (soft delete)"); the state
        machine and the runs stay readable, new runs are refused."""
        self.pipeline_row(user_id, pipeline_id)
        with self.services.db.begin() as conn:
            conn.execute(
                pipelines.update()
                .where(pipelines.c.id == pipeline_id)
                .values(status="archived", updated_at=self.now())
            )
        self._saved(user_id, pipeline_id, None)
        return {"archived": True, "id": pipeline_id, "status": "archived"}

    # ------------------------------------------------------------------ runs (see run_control)

    async def trigger_run(
        self,
        user_id: str,
        pipeline_id: str,
        input_data: Any,
        trigger_type: str,
        *,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        return await self.runs.trigger(
            user_id, pipeline_id, input_data, trigger_type, idempotency_key=idempotency_key
        )

    def get_run(self, user_id: str, run_id: str) -> dict[str, Any]:
        return self.queries.detail(user_id, run_id)

    async def cancel_run(self, user_id: str, run_id: str) -> dict[str, Any]:
        return await self.runs.cancel(user_id, run_id)


__all__ = ["Pipelines", "ServiceError", "iso", "machine_name"]
