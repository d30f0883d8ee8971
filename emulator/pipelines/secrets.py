"""How the integrations read a user's secrets (``{{env.NAME}}``, provider keys) at call time.

Secrets are never written into a compiled definition or its history.  The server installs the
lookup when it starts (the accounts service decrypts); until then no secret is found.

    set_lookup(fn)   # fn(owner, pipeline_id, name) -> str | None
    lookup(owner, pipeline_id, name) -> str | None
"""

from __future__ import annotations

from collections.abc import Callable

Lookup = Callable[[str, str, str], "str | None"]

_lookup: Lookup | None = None


def set_lookup(fn: Lookup | None) -> None:
    """Install (or with None, remove) the function that finds a user's secret."""
    global _lookup
    _lookup = fn


def lookup(owner: str, pipeline_id: str, name: str) -> str | None:
    """The value of secret ``name`` for the pipeline's owner (a pipeline-scoped secret wins over
    a global one: the lookup decides), or None."""
    if _lookup is None or not owner:
        return None
    return _lookup(owner, pipeline_id, name)
