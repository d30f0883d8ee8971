"""The language layer's errors.

Two families:

* :class:`StatesError` is a runtime failure as ASL names it — an error name such as
  ``States.Runtime`` and a cause text.  It is raised while a state evaluates and is
  handled by the interpreter (Retry, Catch, or the execution fails).
* :class:`DefinitionError` is a problem found while compiling a definition (a bad
  path, an unparsable intrinsic).  The loader turns it into a diagnostic.
"""

from __future__ import annotations

# Predefined error names.  Source:
# https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
ALL = "States.ALL"
TASK_FAILED = "States.TaskFailed"
RUNTIME = "States.Runtime"
TIMEOUT = "States.Timeout"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
PERMISSIONS = "States.Permissions"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"


class StatesError(Exception):
    """A runtime error with an ASL error name and a cause."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class DefinitionError(Exception):
    """A compile-time problem in a definition (bad path, bad intrinsic, bad rule)."""


class PathSyntaxError(DefinitionError):
    """A JSONPath expression that does not parse, or is not allowed where it stands."""


class IntrinsicSyntaxError(DefinitionError):
    """An intrinsic function call that does not parse or names an unknown function."""
