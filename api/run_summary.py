"""What ``stepline run`` prints without ``--json``: the status, the output, and the history
as a table."""

from __future__ import annotations

from typing import Any, TextIO

from asl import jsontext


def print_summary(result: Any, out: TextIO) -> None:
    print(f"status: {result.status}", file=out)
    if result.status == "SUCCEEDED":
        print(f"output: {jsontext.dumps(result.output)}", file=out)
    if result.error is not None:
        print(f"error:  {result.error}", file=out)
    if result.cause:
        print(f"cause:  {result.cause}", file=out)
    if result.stuck_reason:
        print(f"note:   {result.stuck_reason}", file=out)
    rows = []
    for event in result.history(include_data=False):
        key = next((k for k in event if k.endswith("EventDetails")), None)
        detail = event.get(key, {}) if key else {}
        what = detail.get("name") or detail.get("error") or detail.get("resource") or ""
        if "index" in detail:
            what = f"{what} [{detail['index']}]"
        rows.append((str(event["id"]), event["timestamp"], event["type"], str(what)))
    widths = [
        max(len(r[i]) for r in [("id", "timestamp", "type", "detail"), *rows]) for i in range(4)
    ]
    print("history:", file=out)
    for row in [("id", "timestamp", "type", "detail"), *rows]:
        print(
            "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip(), file=out
        )
