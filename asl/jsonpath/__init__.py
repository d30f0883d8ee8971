"""AWS Step Functions' JSONPath dialect: Jayway JsonPath as Step Functions runs it.

Compile once when a definition loads, then select (and, for ResultPath, assign) many
times::

    path = compile_path("$.order.items[?(@.price < 10)].sku")
    path.select(data, scope)

* :func:`compile_path` — any path (InputPath, OutputPath, ``"key.$"`` values).
* :func:`compile_reference_path` — a Reference Path (ResultPath, ItemsPath, Choice
  ``Variable``, ``*Path`` fields): names and single non-negative indexes only.
* Roots: ``$`` state data, ``$$`` context object, ``$name`` workflow variable.

Modules: :mod:`.path` (the public classes), :mod:`.parser` (path text to tokens),
:mod:`.tokens` (evaluation), :mod:`.scan` (``..``), :mod:`.filter_parser` and :mod:`.relations` (``[?(...)]``),
:mod:`.java` (Java semantics that Jayway exposes).
"""

from __future__ import annotations

from asl.jsonpath.path import (
    Path,
    PathMatchFailure,
    PathNotFound,
    ReferencePath,
    compile_path,
    compile_reference_path,
    is_path,
)

__all__ = [
    "Path",
    "PathMatchFailure",
    "PathNotFound",
    "ReferencePath",
    "compile_path",
    "compile_reference_path",
    "is_path",
]
