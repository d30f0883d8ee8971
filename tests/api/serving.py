"""Helpers for the API tests: a real ``stepline serve`` process (a free port on 127.0.0.1, a
temporary SQLite file, the virtual clock, always stopped), boto3 clients, definitions."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ECHO = "arn:aws:lambda:us-east-1:123456789012:function:Echo"
CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"


@dataclass
class Server:
    endpoint: str
    port: int
    process: subprocess.Popen[str]


def start_server(db: Path | str, *extra: str, handlers: bool = True) -> Server:
    """``db``: a SQLite file, or a database URL.  ``handlers``: register the test handlers
    (ECHO and CALLBACK); without them those resources reach the real integrations."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    env.pop("AWS_DEFAULT_REGION", None)
    env.pop("AWS_ACCOUNT_ID", None)
    process = subprocess.Popen(
        [
            sys.executable, "-m", "api.cli", "serve",
            "--port", "0",
            "--db", db if isinstance(db, str) else f"sqlite:///{db}",
            "--clock", "virtual",
            "--activity-poll-seconds", "1",
            *(["--handler", f"{ECHO}=server_handlers:echo",
                "--handler", f"{CALLBACK}=server_handlers:ignore"] if handlers else []),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=30):
        process.kill()
        raise RuntimeError("stepline serve did not become ready within 30 s")
    line = process.stdout.readline().strip()
    if not line.startswith("Starting server on port "):
        process.kill()
        raise RuntimeError(f"unexpected first line {line!r}: {process.stderr.read() if process.stderr else ''}")
    port = int(line.split()[4])
    return Server(f"http://127.0.0.1:{port}", port, process)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def client(endpoint: str, region: str = "us-east-1", **config: Any) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, **config),
    )


def wait_done(sfn: Any, arn: str, seconds: float = 20.0) -> dict[str, Any]:
    """DescribeExecution once the execution has ended (or as it is after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.02)


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def pass_machine(result: Any = "done", comment: str | None = None) -> str:
    machine: dict[str, Any] = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}}
    if comment is not None:
        machine["Comment"] = comment
    return json.dumps(machine)


def callback_machine() -> str:
    """An execution of this machine stays RUNNING until its task token is answered."""
    return json.dumps(
        {
            "StartAt": "Wait for it",
            "States": {
                "Wait for it": {
                    "Type": "Task",
                    "Resource": CALLBACK,
                    "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                    "End": True,
                }
            },
        }
    )


def error_of(excinfo: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose tables live in a fresh schema, dropped afterwards.  Uses
    STEPLINE_TEST_POSTGRES_URL, else the local server; skips only when neither answers."""
    import secrets
    from urllib.parse import quote

    import psycopg

    base = os.environ.get("STEPLINE_TEST_POSTGRES_URL")
    if not base:
        try:
            with psycopg.connect(LOCAL_POSTGRES, connect_timeout=2):
                base = LOCAL_POSTGRES
        except psycopg.Error:
            pytest.skip("no PostgreSQL server answers and STEPLINE_TEST_POSTGRES_URL is unset")
    plain = base.replace("postgresql+psycopg://", "postgresql://", 1)
    schema = "api_" + secrets.token_hex(6)
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
