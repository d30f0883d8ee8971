"""How an intrinsic function fails while it runs, and the cause text AWS writes for it.

AWS documents ``States.IntrinsicFailure`` for a failing intrinsic
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html), but every
recorded execution fails with ``States.Runtime`` instead, and DESIGN.md says recorded behaviour
wins over the docs.  Sources for the recorded behaviour:

* a missing path argument: floci-io/floci ``AslExecutorIntrinsicMissingArgumentTest`` and
  ``StepFunctionsIntrinsicMissingArgumentIntegrationTest``, whose causes were captured from
  AWS in us-east-1: ``States.Runtime`` with
  ``The function 'States.Format('{}', $.nope)' had the following error: The JsonPath argument
  for the field '$.nope' could not be found in the input '{"other":1}'``;
* a bad argument: an AWS-run integration test asserting ``States.Runtime`` and
  ``'Invalid arguments in States.MathAdd' in execution.cause``, and a conformance suite run
  against AWS expecting ``States.Runtime`` with ``Invalid arguments in States.ArrayRange`` /
  ``States.ArrayPartition`` / ``States.MathRandom`` in the cause.

The cause is written without the ``An error occurred while executing the state '<name>'
(entered at the event id #<n>). `` prefix, which the interpreter adds.
"""

from __future__ import annotations

from asl import errors

# The error name of every runtime failure of an intrinsic (see the module docstring).
ERROR = errors.RUNTIME


class FunctionFailure(Exception):
    """Raised inside an intrinsic; the compiled expression turns it into a StatesError."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def invalid_arguments(name: str) -> FunctionFailure:
    """AWS's wording for an argument of the wrong type, count or range (recorded, see above)."""
    return FunctionFailure(f"Invalid arguments in {name}")


def cause(expression: str, detail: str) -> str:
    """The whole expression, as written, is named; not the inner call that failed (recorded)."""
    return f"The function '{expression}' had the following error: {detail}"


def missing_argument(path: str, input_json: str) -> str:
    """A path argument that selects nothing (recorded wording, see the module docstring)."""
    return (
        f"The JsonPath argument for the field '{path}' could not be found "
        f"in the input '{input_json}'"
    )
