"""Every state of a raw definition, nested ones included, with its location."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def iter_states(node: Any, location: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(location, state)`` for each state of a parsed definition, in document order, going
    into Parallel branches and Map processors; locations as AWS writes them
    (``/States/P/Branches[0]/States/A``).  Malformed parts are skipped, never raised on."""
    if not isinstance(node, Mapping):
        return
    states = node.get("States")
    if not isinstance(states, Mapping):
        return
    for name, state in states.items():
        if not isinstance(state, Mapping):
            continue
        here = f"{location}/States/{name}"
        yield here, state
        branches = state.get("Branches")
        if isinstance(branches, list):
            for index, branch in enumerate(branches):
                yield from iter_states(branch, f"{here}/Branches[{index}]")
        for key in ("ItemProcessor", "Iterator"):
            yield from iter_states(state.get(key), f"{here}/{key}")
