"""``python -m conformance``: run every case in-process, print a table per feature.

API cases (``"kind": "api"``) run against an in-process ``stepline serve`` on 127.0.0.1, or
against the server given with ``--endpoint URL`` (any Step Functions endpoint: requests are
SigV4-signed with the environment's credentials, or dummy ones).
A case may carry ``"known_divergence": "why"``: AWS's recorded behaviour that Stepline does
not match yet.  It still runs; it is listed as known, and it counts as a failure the day it
passes, so that the marker is removed.
The last line is ``N passed, M failed``; the exit code is 1 when any case failed.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from contextlib import ExitStack

from conformance.cases import load_cases
from conformance.engine import run_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance")
    parser.add_argument("--feature", help="run only this feature")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case")
    parser.add_argument("--endpoint", help="run the api cases against this server URL")
    args = parser.parse_args(argv)
    cases = load_cases(feature=args.feature)
    by_feature: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    known: list[tuple[str, str]] = []
    with ExitStack() as stack:
        endpoint = args.endpoint
        if endpoint is None and any(case.kind == "api" for case in cases):
            from conformance.local_server import LocalServer

            endpoint = stack.enter_context(LocalServer()).endpoint
        for case in cases:
            try:
                problems = run_case(case, endpoint)
            except Exception as exc:  # a crash is a failure of the case, reported, not fatal
                problems = [f"crashed: {type(exc).__name__}: {exc}"]
            why = case.raw.get("known_divergence")
            if why is not None:
                if problems:
                    known.append((case.id, why))
                    continue
                problems = ["passes now: remove its known_divergence marker"]
            by_feature[case.feature].append((case.id, problems))
    passed = failed = 0
    width = max((len(f) for f in by_feature), default=7)
    print(f"{'feature'.ljust(width)}  passed  failed")
    for feature in sorted(by_feature):
        results = by_feature[feature]
        ok = sum(1 for _, p in results if not p)
        print(f"{feature.ljust(width)}  {ok:6d}  {len(results) - ok:6d}")
        passed += ok
        failed += len(results) - ok
    for feature in sorted(by_feature):
        for case_id, problems in by_feature[feature]:
            if problems:
                print(f"FAIL {case_id}")
                for problem in problems:
                    print(f"    {problem}")
            elif args.verbose:
                print(f"ok   {case_id}")
    for case_id, why in known:
        print(f"KNOWN DIVERGENCE {case_id}: {why}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
