"""The Stepflow tests' HTTP client (the standard library's, as any client would) and an SSE
reader that parses frames as they arrive."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

BASE = "/api/stepflow"
WAIT_FOR_EVENT = "arn:aws:states:::stepline:waitForEvent.waitForTaskToken"
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"


def call(
    endpoint: str,
    method: str,
    path: str,
    body: Any = None,
    *,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(
        endpoint + path, method=method, data=data, headers=dict(headers or {})
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@dataclass
class SseEvent:
    event: str
    data: Any
    id: int | None


@dataclass
class SseReader:
    """Reads a stream in a thread; ``events`` fills as frames arrive, ``done`` at its end."""

    endpoint: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    events: list[SseEvent] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    status: int | None = None
    content_type: str | None = None
    cors: str | None = None  # Access-Control-Allow-Origin
    done: threading.Event = field(default_factory=threading.Event)

    def start(self) -> SseReader:
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        request = urllib.request.Request(self.endpoint + self.path, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                self.status = response.status
                self.content_type = response.headers.get("Content-Type")
                self.cors = response.headers.get("Access-Control-Allow-Origin")
                fields: dict[str, str] = {}
                for raw in response:
                    line = raw.decode().rstrip("\n")
                    if line.startswith(":"):
                        self.comments.append(line[1:].strip())
                    elif line:
                        name, _, value = line.partition(": ")
                        fields[name] = value
                    elif fields:
                        self.events.append(
                            SseEvent(
                                fields.get("event", "message"),
                                json.loads(fields.get("data", "null")),
                                int(fields["id"]) if "id" in fields else None,
                            )
                        )
                        fields = {}
        except urllib.error.HTTPError as error:
            self.status = error.code
        finally:
            self.done.set()

    def wait(self, timeout: float = 30) -> list[SseEvent]:
        assert self.done.wait(timeout), f"the stream did not end: {self.events}"
        return self.events

    def wait_for(self, predicate: Any, timeout: float = 30) -> SseEvent:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if predicate(event):
                    return event
            time.sleep(0.02)
        raise AssertionError(f"no such event within {timeout} s: {self.events}")


def sfn(endpoint: str) -> Any:
    return boto3.client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip


def create_machine(endpoint: str, name: str, definition: dict[str, Any]) -> str:
    arn: str = sfn(endpoint).create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return arn


def waiting_machine() -> dict[str, Any]:
    """Waits for the event named by the input's ``eventId``, then passes it on."""
    return {
        "StartAt": "Prepare",
        "States": {
            "Prepare": {"Type": "Pass", "Result": "ready", "ResultPath": "$.prepared",
                        "Next": "Wait for payment"},
            "Wait for payment": {
                "Type": "Task", "Resource": WAIT_FOR_EVENT,
                "Parameters": {"EventId.$": "$.eventId", "TaskToken.$": "$$.Task.Token"},
                "ResultPath": "$.payment", "Next": "Ship",
            },
            "Ship": {"Type": "Pass", "OutputPath": "$.payment", "End": True},
        },
    }  # fmt: skip
