"""Intrinsic for unique ID generation: States.UUID().

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-uuid-generate
A version 4 UUID, whose 122 random bits come from the execution's deterministic generator
(``scope.rng()``), so a replayed execution draws the same identifiers.
"""

from __future__ import annotations

import uuid as _uuid

from asl.scope import Scope

UUID = "States.UUID"


def uuid(scope: Scope) -> str:
    """For example ``'ca4c1140-dcc1-40cd-ad05-7b4aa23df4a8'``."""
    return str(_uuid.UUID(int=scope.rng().getrandbits(128), version=4))
