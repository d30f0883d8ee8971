"""``python -m conformance.bench``: time the shared workloads in-process
(``--http``: through the HTTP API, see bench_http.py).

For each workload it prints the median wall time of one execution, microseconds per state
transition, the time to load (validate and compile) the definition, the time to render the
execution's history as GetExecutionHistory returns it (events keep their payloads as values
and become JSON text only when rendered), and the peak memory traced during one execution.  Each run's output is checked against the workload's
expectation, so a fast wrong answer does not pass for a result.  This is a benchmark, not a
test: nothing in CI depends on these figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import asl
from emulator.driver import default_info, run_local

DEFAULT_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "workloads"
# Stepline's own workloads (JSONata, variables), run beside the shared ones.
OWN_DIR = Path(__file__).resolve().parent / "workloads"


def check(expect: dict[str, Any], output: Any) -> str | None:
    """None when the output meets the workload's expectation, else what is wrong."""
    if "equals" in expect and output != expect["equals"]:
        return f"output {output!r} != {expect['equals']!r}"
    if "list_len" in expect:
        if not isinstance(output, list) or len(output) != expect["list_len"]:
            return f"output is not a list of {expect['list_len']}"
        if "first" in expect and output[0] != expect["first"]:
            return f"first item {output[0]!r} != {expect['first']!r}"
    for key, value in expect.get("key_equals", {}).items():
        if not isinstance(output, dict) or output.get(key) != value:
            return f"output[{key!r}] != {value!r}"
    if "list_len_at" in expect:
        key, n = expect["list_len_at"]
        if not isinstance(output, dict) or len(output.get(key) or []) != n:
            return f"output[{key!r}] is not a list of {n}"
    return None


def run_once(machine: asl.StateMachine, payload: Any) -> tuple[float, Any, str]:
    started = time.perf_counter()
    result = run_local(machine, payload, {}, default_info())
    elapsed = time.perf_counter() - started
    return elapsed, result.output, result.status


def render_ms(machine: asl.StateMachine, payload: Any) -> float:
    """Time to render one execution's history as GetExecutionHistory returns it."""
    result = run_local(machine, payload, {}, default_info())
    started = time.perf_counter()
    result.history()
    return (time.perf_counter() - started) * 1e3


def bench_workload(directory: Path, name: str, runs: int | None) -> dict[str, Any]:
    definition = (directory / f"{name}.asl.json").read_text()
    meta = json.loads((directory / f"{name}.meta.json").read_text())
    payload = json.loads((directory / meta.get("input_file", f"{name}.input.json")).read_text())
    started = time.perf_counter()
    machine = asl.load(definition)
    load_ms = (time.perf_counter() - started) * 1e3
    repeats = runs or meta.get("runs", 3)
    transitions = meta["transitions"]
    row: dict[str, Any] = {"workload": name, "load_ms": load_ms}
    if meta.get("mode") == "throughput":
        executions = meta["executions"]
        rates = []
        for _ in range(repeats):
            gc.collect()
            started = time.perf_counter()
            for _ in range(executions):
                _, output, status = run_once(machine, payload)
                problem = check(meta["expect"], output) if status == "SUCCEEDED" else status
                if problem:
                    row["error"] = problem
            rates.append(executions / (time.perf_counter() - started))
        row["executions_per_s"] = statistics.median(rates)
        row["us_per_transition"] = 1e6 / row["executions_per_s"] / transitions
        row["ms_per_execution"] = 1e3 / row["executions_per_s"]
    else:
        times = []
        for _ in range(repeats):
            gc.collect()
            elapsed, output, status = run_once(machine, payload)
            problem = check(meta["expect"], output) if status == "SUCCEEDED" else status
            if problem:
                row["error"] = problem
            times.append(elapsed)
        median = statistics.median(times)
        row["ms_per_execution"] = median * 1e3
        row["us_per_transition"] = median * 1e6 / transitions
    row["history_ms"] = render_ms(machine, payload)
    tracemalloc.start()
    run_once(machine, payload)
    row["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.bench")
    parser.add_argument("--workloads", type=Path, default=DEFAULT_DIR, help="workload directory")
    parser.add_argument("--only", action="append", help="run only these workloads")
    parser.add_argument("--runs", type=int, help="repeats per workload (default: the meta file's)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument(
        "--http", action="store_true", help="run the workloads through the HTTP API (stepline serve)"
    )
    args = parser.parse_args(argv)
    if not args.workloads.is_dir():
        print(f"no workload directory at {args.workloads}", file=sys.stderr)
        return 2
    found = [
        (directory, p.name[: -len(".asl.json")])
        for directory in (args.workloads, OWN_DIR)
        for p in sorted(directory.glob("*.asl.json"))
    ]
    if args.only:
        found = [(d, n) for d, n in found if n in args.only]
    if args.http:
        from conformance.bench_http import bench_http, print_rows
    # Keep the start-up heap (modules, botocore's model) out of the collector's scans, as
    # `stepline serve` does, so that in-process and HTTP figures pay the same for collections.
    gc.collect()
    gc.freeze()
    if args.http:

        http_rows = bench_http(found, args.runs)
        if args.json:
            print(json.dumps(http_rows, indent=2))
        else:
            print_rows(http_rows)
        return 1 if any("error" in row for row in http_rows) else 0
    rows = [bench_workload(directory, name, args.runs) for directory, name in found]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        f"{'workload':18} {'ms/exec':>9} {'us/trans':>9} {'exec/s':>9} {'load ms':>8} "
        f"{'history ms':>10} {'peak MiB':>9}  check"
    )
    for row in rows:
        rate = f"{row['executions_per_s']:9.0f}" if "executions_per_s" in row else " " * 9
        print(
            f"{row['workload']:18} {row['ms_per_execution']:9.2f} {row['us_per_transition']:9.2f} "
            f"{rate} {row['load_ms']:8.1f} {row['history_ms']:10.2f} {row['peak_mib']:9.2f}  "
            f"{row.get('error', 'ok')}"
        )
    return 1 if any("error" in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
