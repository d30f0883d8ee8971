"""The Step Functions service: every API operation, with AWS's rules, errors and messages.

    result = OPERATIONS[name](services, caller, params)   # a dict, or a coroutine of one
"""

from __future__ import annotations

from emulator.sfn.context import Caller, Services
from emulator.sfn.errors import SfnError, ValidationError
from emulator.sfn.operations import OPERATIONS

__all__ = ["OPERATIONS", "Caller", "Services", "SfnError", "ValidationError"]
