"""Static validation of state machine definitions, with AWS's diagnostics.

What ValidateStateMachineDefinition returns and what CreateStateMachine/UpdateStateMachine
put in InvalidDefinition: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html

    diags = validate_definition(raw)               # raw: parsed JSON, any value
    raw, diags = validate_definition_text(text)    # JSON text
    invalid_definition_message(diags)              # "Invalid State Machine Definition: '...'"
"""

from __future__ import annotations

from asl.validation.definition_text import validate_definition_text
from asl.validation.diagnostic import Diagnostic, invalid_definition_message
from asl.validation.machine import validate_definition

__all__ = [
    "Diagnostic",
    "invalid_definition_message",
    "validate_definition",
    "validate_definition_text",
]
