"""A child process for the kill and lease tests: runs executions until it is killed.

    python tests/emulator/kill_worker.py DB_URL PREFIX COUNT [--clock system|scaled]
                                         [--lease SECONDS] [--no-reclaim] [--no-start]

Opens ``Executions`` on DB_URL, starts COUNT executions of every machine in ``MACHINES``
(named ``PREFIX-<machine>-<i>``, unless --no-start), prints ``READY <owner>`` and keeps
running them until it is killed.  The machines take a few real seconds: Waits, slow local
handlers, retries, a Parallel and a Map, so that a kill lands in the middle of everything.
Nothing races (no two things in flight whose order depends on real time), so each machine
has exactly one correct history, whenever the kill lands.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from emulator.clock import ScaledClock, SystemClock
from emulator.executions import ExecutionRequest, Executions
from emulator.handlers import TaskFailure
from emulator.store.db import Database

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/StepFunctionsRole"
SLOW = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Slow"
FLAKY = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:Broken"

# Real seconds a handler takes (the expected histories are computed with 0).
TASK_SECONDS = float(os.environ.get("KILL_WORKER_TASK_SECONDS", "0"))


def slow(event: Any) -> Any:
    time.sleep(TASK_SECONDS)
    return {"n": event.get("n", 0) + 1}


def broken(event: Any) -> Any:
    time.sleep(TASK_SECONDS / 2)
    raise TaskFailure("Custom.Broken", "it always fails")


HANDLERS = {SLOW: slow, FLAKY: broken}


def _task(next_state: str | None, **extra: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": SLOW, **extra}
    if next_state is None:
        state["End"] = True
    else:
        state["Next"] = next_state
    return state


MACHINES: dict[str, dict[str, Any]] = {
    "waits": {
        "StartAt": "W1",
        "States": {
            "W1": {"Type": "Wait", "Seconds": 1, "Next": "P1"},
            "P1": {"Type": "Pass", "Result": {"n": 1}, "Next": "W2"},
            "W2": {"Type": "Wait", "Seconds": 1, "Next": "P2"},
            "P2": {"Type": "Pass", "End": True},
        },
    },
    "tasks": {
        "StartAt": "T1",
        "States": {
            "T1": _task("T2"),
            "T2": _task("T3", TimeoutSeconds=30),
            "T3": _task(None),
        },
    },
    "retries": {
        "StartAt": "F",
        "States": {
            "F": {
                "Type": "Task",
                "Resource": FLAKY,
                "Retry": [
                    {"ErrorEquals": ["Custom.Broken"], "IntervalSeconds": 1, "MaxAttempts": 2}
                ],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                "End": True,
            },
            "Done": {"Type": "Pass", "End": True},
        },
    },
    "fanout": {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "BW",
                        "States": {"BW": {"Type": "Wait", "Seconds": 1, "End": True}},
                    },
                    {"StartAt": "BP", "States": {"BP": {"Type": "Pass", "End": True}}},
                ],
                "Next": "Map",
            },
            "Map": {
                "Type": "Map",
                "ItemsPath": "$[0].items",
                "MaxConcurrency": 1,
                "ItemProcessor": {"StartAt": "MT", "States": {"MT": _task(None)}},
                "End": True,
            },
        },
    },
}

INPUTS: dict[str, Any] = {
    "waits": {"n": 0},
    "tasks": {"n": 0},
    "retries": {"n": 0},
    "fanout": {"n": 0, "items": [{"n": 1}, {"n": 2}, {"n": 3}]},
}


def state_machine_arn(machine: str) -> str:
    return f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{machine}"


def execution_arn(machine: str, name: str) -> str:
    return f"arn:aws:states:us-east-1:{ACCOUNT}:execution:{machine}:{name}"


def planned(prefix: str, count: int) -> list[tuple[str, str]]:
    """(machine, execution name) of every execution a worker starts."""
    return [(m, f"{prefix}-{m}-{i}") for i in range(count) for m in MACHINES]


async def start_all(executions: Executions, prefix: str, count: int) -> None:
    for machine, name in planned(prefix, count):
        await executions.start_execution(
            ExecutionRequest(
                arn=execution_arn(machine, name),
                state_machine_arn=state_machine_arn(machine),
                name=name,
                definition=json.dumps(MACHINES[machine]),
                role_arn=ROLE,
                input_text=json.dumps(INPUTS[machine]),
                type="STANDARD",
            ),
        )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("prefix")
    parser.add_argument("count", type=int)
    parser.add_argument("--clock", default="system")
    parser.add_argument("--lease", type=float, default=None)
    parser.add_argument("--no-reclaim", action="store_true")
    parser.add_argument("--no-start", action="store_true")
    args = parser.parse_args()
    clock = ScaledClock(0.5) if args.clock == "scaled" else SystemClock()
    executions = Executions(
        Database(args.url),
        clock,
        HANDLERS,
        lease_seconds=args.lease,
        poll_seconds=0.05,
        reclaim_dead_owners=not args.no_reclaim,
    )
    await executions.open()
    if not args.no_start:
        await start_all(executions, args.prefix, args.count)
    print("READY", executions.owner, flush=True)
    while True:
        await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main())
