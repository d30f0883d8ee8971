"""Intrinsic functions: ``States.Format``, ``States.Array``, ``States.MathAdd`` and the rest.

https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html

    intrinsic = compile_intrinsic("States.MathAdd($.i, 1)")   # or IntrinsicSyntaxError
    intrinsic.evaluate({"i": 41}, scope)                       # 42, or StatesError
"""

from __future__ import annotations

from asl.intrinsics.intrinsic import Intrinsic, compile_intrinsic, looks_like_intrinsic

__all__ = ["Intrinsic", "compile_intrinsic", "looks_like_intrinsic"]
