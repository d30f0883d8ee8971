"""A problem found in a definition, as ValidateStateMachineDefinition reports it.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html
lists the codes.  ERROR diagnostics block CreateStateMachine/UpdateStateMachine; WARNING ones
do not.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "ERROR"
WARNING = "WARNING"

# Error codes, from the page above.  Each one used here is also seen in recorded AWS output
# (sources next to the messages in asl/validation/messages.py).
INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"
# Not on the page above; recorded from the service for JSONata expressions (floci-io/floci
# #2745 and #2670, measured with ``aws stepfunctions validate-state-machine-definition``).
INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding.  ``location`` is ``""`` when AWS reports none (e.g. MISSING_END_STATE)."""

    severity: str
    code: str
    message: str
    location: str

    def to_api(self) -> dict[str, str]:
        """The ``ValidateStateMachineDefinitionDiagnostic`` shape; no ``location`` key when
        there is none, as AWS omits it (recorded: MISSING_END_STATE, and the
        "Definition must be a valid JSON object" diagnostic in LocalStack's
        tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json)."""
        out = {"severity": self.severity, "code": self.code, "message": self.message}
        if self.location:
            out["location"] = self.location
        return out


def invalid_definition_message(diags: list[Diagnostic]) -> str:
    """The ``message`` of CreateStateMachine's/UpdateStateMachine's ``InvalidDefinition``.

    Recorded AWS responses (GitHub localstack/localstack#11978, aws-cloudformation/cfn-lint#4074,
    floci-io/floci#2735) show each diagnostic as ``CODE: message at location``, joined with
    ``", "`` inside one pair of single quotes, and ``at null`` when there is no location::

        Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target:
        pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not
        reachable. at /States/pass2'

        Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state
        at null'

    Only ERROR diagnostics reject a definition, so warnings are left out when there are errors.
    A JSON syntax error's message already ends with its location (Jackson's "\\n at [Source:
    ...]"), so it is not repeated (UNVERIFIED: no recorded CreateStateMachine response for
    invalid JSON was found).
    """
    errors = [d for d in diags if d.severity == ERROR] or list(diags)
    return f"Invalid State Machine Definition: '{', '.join(_entry(d) for d in errors)}'"


def _entry(diag: Diagnostic) -> str:
    if diag.location and diag.message.endswith(diag.location):
        return f"{diag.code}: {diag.message}"
    return f"{diag.code}: {diag.message} at {diag.location or 'null'}"
