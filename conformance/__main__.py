"""``python -m conformance``: run every case in-process, print a table per feature.

The last line is ``N passed, M failed``; the exit code is 1 when any case failed.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from conformance.cases import load_cases
from conformance.engine import run_case


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance")
    parser.add_argument("--feature", help="run only this feature")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case")
    args = parser.parse_args(argv)
    cases = load_cases(feature=args.feature)
    by_feature: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for case in cases:
        try:
            problems = run_case(case)
        except Exception as exc:  # a crash is a failure of the case, reported, not fatal
            problems = [f"crashed: {type(exc).__name__}: {exc}"]
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
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
