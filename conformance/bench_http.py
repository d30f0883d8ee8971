"""``python -m conformance.bench --http``: the shared workloads through the HTTP API.

A ``stepline serve`` process (SQLite store in a temporary directory, virtual clock) on a free
port of 127.0.0.1, driven by a raw aiohttp client speaking JSON 1.0.  For each workload it
creates the state machine, then times StartExecution until DescribeExecution reports the end;
the throughput workload starts its executions with several requests in flight at once and
counts executions per second from the first start to the last finish.  Each row shows, beside
the HTTP time, the in-process time of the same workload (the driver, nothing stored), the
durable runner's time without HTTP (``Executions`` on its own SQLite file), and the ratio of
HTTP to in-process.
"""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

import asl
from conformance.bench import check, run_once

ROOT = Path(__file__).resolve().parent.parent
ROLE = "arn:aws:iam::123456789012:role/StepFunctionsRole"
IN_FLIGHT = 16


class Client:
    def __init__(self, session: aiohttp.ClientSession, endpoint: str) -> None:
        self.session = session
        self.endpoint = endpoint

    async def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"AWSStepFunctions.{operation}",
        }
        async with self.session.post(self.endpoint, data=json.dumps(params), headers=headers) as response:
            body: dict[str, Any] = await response.json(content_type=None)
            if response.status != 200:
                raise RuntimeError(f"{operation}: HTTP {response.status} {body}")
            return body

    async def run(
        self, machine: str, payload_text: str, backoff: bool = True
    ) -> dict[str, Any]:
        """Start one execution and wait for its end; the final DescribeExecution.

        DescribeExecution is polled from 0.5 ms, doubling up to 20 ms (``backoff``: many
        executions in flight), or every 0.5 ms (one execution timed on its own: a doubling
        delay would add up to half the execution's time to what is measured)."""
        arn = (await self.call("StartExecution", {"stateMachineArn": machine, "input": payload_text}))[
            "executionArn"
        ]
        delay = 0.0005
        while True:
            described = await self.call("DescribeExecution", {"executionArn": arn})
            if described["status"] != "RUNNING":
                return described
            await asyncio.sleep(delay)
            if backoff:
                delay = min(delay * 2, 0.02)


def start_server(directory: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", "0", "--clock", "virtual",
         "--db", f"sqlite:///{directory / 'bench.db'}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=60):
        process.kill()
        raise RuntimeError("stepline serve did not start")
    line = process.stdout.readline()
    return process, f"http://127.0.0.1:{int(line.split()[4])}/"


async def _worker(
    client: Client, machine: str, payload_text: str, pending: Any, results: list[dict[str, Any]]
) -> None:
    """Runs executions one after another while any are left to start."""
    for _ in pending:
        results.append(await client.run(machine, payload_text))


class Runner:
    """The durable runner on its own, for the "runner" column."""

    def __init__(self, directory: Path) -> None:
        from emulator.clock import make_clock
        from emulator.executions import Executions
        from emulator.store.db import Database

        self.executions = Executions(
            Database(f"sqlite:///{directory / 'runner.db'}"), make_clock("virtual", None), {}
        )

    async def run(self, definition: str, payload_text: str) -> float:
        from emulator.executions import ExecutionRequest

        arn = f"arn:aws:states:us-east-1:123456789012:execution:bench:{uuid.uuid4()}"
        started = time.perf_counter()
        record = await self.executions.start_execution(
            ExecutionRequest(
                arn=arn, state_machine_arn="arn:aws:states:us-east-1:123456789012:stateMachine:bench",
                name=arn.rsplit(":", 1)[1], definition=definition, role_arn=ROLE,
                input_text=payload_text, type="STANDARD",
            )
        )  # fmt: skip
        await self.executions.wait_finished(record.arn)
        return time.perf_counter() - started


async def _bench(
    found: list[tuple[Path, str]], runs: int | None, endpoint: str, runner: Runner
) -> list[dict[str, Any]]:
    rows = []
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT * 2)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = Client(session, endpoint)
        for directory, name in found:
            definition = (directory / f"{name}.asl.json").read_text()
            meta = json.loads((directory / f"{name}.meta.json").read_text())
            payload_text = (directory / meta.get("input_file", f"{name}.input.json")).read_text()
            payload = json.loads(payload_text)
            machine = (await client.call("CreateStateMachine", {
                "name": f"bench-{name}-{uuid.uuid4().hex[:6]}", "definition": definition, "roleArn": ROLE,
            }))["stateMachineArn"]
            compiled = asl.load(definition)
            repeats = runs or meta.get("runs", 3)
            row: dict[str, Any] = {"workload": name}
            if meta.get("mode") == "throughput":
                count = meta["executions"]
                rates, local_rates, runner_times = [], [], []
                for _ in range(repeats):
                    pending = iter(range(count))
                    results: list[dict[str, Any]] = []
                    started = time.perf_counter()
                    await asyncio.gather(
                        *(_worker(client, machine, payload_text, pending, results) for _ in range(IN_FLIGHT))
                    )
                    rates.append(count / (time.perf_counter() - started))
                    bad = [r for r in results if r["status"] != "SUCCEEDED"
                           or check(meta["expect"], json.loads(r["output"]))]
                    if bad:
                        row["error"] = f"{len(bad)} executions wrong, e.g. {bad[0].get('status')}"
                    local_started = time.perf_counter()
                    for _ in range(count):
                        run_once(compiled, payload)
                    local_rates.append(count / (time.perf_counter() - local_started))
                    runner_times.append(sum([await runner.run(definition, payload_text)
                                             for _ in range(count)]) / count)
                row["runner_ms"] = statistics.median(runner_times) * 1e3
                row["executions_per_s"] = statistics.median(rates)
                row["local_executions_per_s"] = statistics.median(local_rates)
                row["http_ms"] = 1e3 / row["executions_per_s"]
                row["local_ms"] = 1e3 / row["local_executions_per_s"]
            else:
                times, local_times, runner_times = [], [], []
                for _ in range(repeats):
                    started = time.perf_counter()
                    result = await client.run(machine, payload_text, backoff=False)
                    times.append(time.perf_counter() - started)
                    if result["status"] != "SUCCEEDED":
                        row["error"] = f"{result['status']}: {result.get('error')} {result.get('cause', '')[:100]}"
                    elif problem := check(meta["expect"], json.loads(result["output"])):
                        row["error"] = problem
                    local_times.append(run_once(compiled, payload)[0])
                    runner_times.append(await runner.run(definition, payload_text))
                row["runner_ms"] = statistics.median(runner_times) * 1e3
                row["http_ms"] = statistics.median(times) * 1e3
                row["local_ms"] = statistics.median(local_times) * 1e3
            row["ratio"] = row["http_ms"] / row["local_ms"]
            rows.append(row)
    return rows


async def _with_runner(
    found: list[tuple[Path, str]], runs: int | None, endpoint: str, directory: Path
) -> list[dict[str, Any]]:
    runner = Runner(directory)
    await runner.executions.open()
    try:
        return await _bench(found, runs, endpoint, runner)
    finally:
        await runner.executions.close()


def bench_http(found: list[tuple[Path, str]], runs: int | None) -> list[dict[str, Any]]:
    """One row per (workload directory, workload name)."""
    with tempfile.TemporaryDirectory(prefix="stepline-bench-") as tmp:
        process, endpoint = start_server(Path(tmp))
        try:
            return asyncio.run(_with_runner(found, runs, endpoint, Path(tmp)))
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def print_rows(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'workload (HTTP API)':20} {'HTTP ms':>9} {'in-process':>10} {'runner ms':>9} "
        f"{'ratio':>6} {'exec/s':>8}  check"
    )
    for row in rows:
        rate = f"{row['executions_per_s']:8.0f}" if "executions_per_s" in row else " " * 8
        print(
            f"{row['workload']:20} {row['http_ms']:9.2f} {row['local_ms']:10.2f} "
            f"{row['runner_ms']:9.2f} {row['ratio']:6.2f} {rate}  {row.get('error', 'ok')}"
        )
