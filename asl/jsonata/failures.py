"""How a JSONata expression fails, in AWS's words.

Two moments, two families:

* when a definition loads, an expression that does not parse (or uses ``$eval``) raises
  :class:`JsonataDefinitionError`, a :class:`~asl.errors.DefinitionError` carrying AWS's
  diagnostic code and message;
* when a state runs, any evaluation failure raises :class:`JsonataEvaluationError`, a
  :class:`~asl.errors.StatesError` named ``States.QueryEvaluationError``.

Recorded AWS wording (cited per item):

* a syntax error is refused at create time as ``INVALID_JSONATA_EXPRESSION`` with the JSONata
  parser's message, its ``S0xxx`` code left out: ``Expected "]", got ","`` for ``a[1,2)``
  (floci-io/floci, validate-state-machine-definition run against us-east-1; the messages are
  jsonata-js's own);
* an evaluation error reads ``The JSONata expression '<expr>' specified for the field '<field>'
  threw an error during evaluation. T1006: Attempted to invoke a non-function`` (LocalStack's
  recorded AWS snapshot tests/aws/services/stepfunctions/v2/intrinsic_functions/
  test_math_operations_jsonata.snapshot.json).  A coded JSONata error follows ``. `` and a bound
  with no code (stack depth, time, memory) follows ``: `` (floci-io/floci#2783, a corpus of 101
  causes measured on AWS);
* an expression yielding nothing reads ``The JSONata expression '<expr>' specified for the field
  '<field>' returned nothing (undefined).`` (an AWS execution's cause quoted in
  umccr's data-sharing handler, field ``Arguments/Input/pushLocation``; floci-io/floci#2665).

AWS prefixes every cause with ``An error occurred while executing the state '<name>' (entered
at the event id #<n>). ``; the interpreter adds that prefix, these causes start after it.
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
"""

from __future__ import annotations

from asl import errors

# Diagnostic codes of AWS's ValidateStateMachineDefinition for JSONata expressions.
INVALID_JSONATA_EXPRESSION = "INVALID_JSONATA_EXPRESSION"
UNSUPPORTED_JSONATA_EXPRESSION = "UNSUPPORTED_JSONATA_EXPRESSION"

# The bounds an evaluation runs within, and the sentences AWS answers when one is passed
# (floci-io/floci docs/services/step-functions.md, measured on AWS).  jlens names them with
# its own codes; AWS writes them with no code.
STACK_OVERFLOW = (
    "Stack overflow error: Check for non-terminating recursive function. "
    "Consider rewriting as tail-recursive"
)
TIMEOUT = "Expression evaluation timeout: Check for infinite loop"
_UNCODED: dict[str, str] = {
    "D1011": STACK_OVERFLOW,  # jlens: maximum evaluation depth
    "U1001": STACK_OVERFLOW,
    "D1012": TIMEOUT,  # jlens: wall-clock timeout
    "U1006": TIMEOUT,  # jlens: step budget
}


class JsonataDefinitionError(errors.DefinitionError):
    """An expression AWS refuses when the state machine is created.

    ``str(error)`` is AWS's message; :attr:`code` is the diagnostic code it is reported under.
    """

    def __init__(
        self,
        message: str,
        code: str = INVALID_JSONATA_EXPRESSION,
        jsonata_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.jsonata_code = jsonata_code
        """JSONata's own error code (``S0202``), which AWS leaves out of the message."""


class JsonataEvaluationError(errors.StatesError):
    """``States.QueryEvaluationError`` raised while an expression evaluates.

    :attr:`location` is the field the expression was written in (``Output/v``), empty when
    unknown; AWS records it in the ``EvaluationFailed`` history event.
    """

    def __init__(self, cause: str, location: str = "", jsonata_code: str | None = None) -> None:
        super().__init__(errors.QUERY_EVALUATION_ERROR, cause)
        self.location = location
        self.jsonata_code = jsonata_code
        """JSONata's own error code (``T0410``), when there is one."""


class FunctionFailure(Exception):
    """Raised inside one of Step Functions' added functions: a JSONata error code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def error_tail(code: str | None, message: str) -> tuple[str, bool]:
    """The part of a cause after the sentence naming the expression, and whether it is coded."""
    uncoded = _UNCODED.get(code or "")
    if uncoded is not None:
        return uncoded, False
    if code:
        return f"{code}: {message}", True
    return message, False


def threw(text: str, field: str, tail: str, coded: bool) -> str:
    """The cause of an expression that raised while it evaluated."""
    if not field:
        return tail
    sentence = (
        f"The JSONata expression '{text}' specified for the field '{field}' "
        "threw an error during evaluation"
    )
    return f"{sentence}. {tail}" if coded else f"{sentence}: {tail}"


def returned_nothing(text: str, field: str) -> JsonataEvaluationError:
    """The failure of an expression that yields nothing where a value is required."""
    return JsonataEvaluationError(
        f"The JSONata expression '{text}' specified for the field '{field}' "
        "returned nothing (undefined).",
        field,
    )
