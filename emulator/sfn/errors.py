"""The errors of the Step Functions API, with AWS's names and message texts.

Each error is an exception the service layer raises; ``api/`` turns it into the JSON 1.0
error body ``{"__type": ..., "message": ...}``.  The message texts are the ones AWS returns,
as recorded in LocalStack's snapshot files of real AWS responses
(tests/aws/services/stepfunctions/v2/*.snapshot.json); the exception names are those of
botocore's service model (https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html).
"""

from __future__ import annotations

# AWS prefixes service exceptions with their Java namespace; SDKs keep the part after "#".
SERVICE_NAMESPACE = "com.amazonaws.swf.service.v2.model"
VALIDATION_NAMESPACE = "com.amazon.coral.validate"
CORAL_NAMESPACE = "com.amazon.coral.service"


class SfnError(Exception):
    """An API error: ``code`` is the exception name, ``message`` AWS's text."""

    namespace = SERVICE_NAMESPACE

    def __init__(
        self, code: str, message: str, *, reason: str | None = None, resource_name: str | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.reason = reason  # ValidationException's optional "reason" member
        self.resource_name = resource_name  # ResourceNotFound's and TooManyTags' resourceName

    @property
    def type_name(self) -> str:
        """The ``__type`` of the error body."""
        return f"{self.namespace}#{self.code}"


class ValidationError(SfnError):
    namespace = VALIDATION_NAMESPACE

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__("ValidationException", message, reason=reason)


class CoralError(SfnError):
    """Protocol-level errors (unknown operation, unreadable body)."""

    namespace = CORAL_NAMESPACE


# ----------------------------------------------------------------------------- by resource


def invalid_arn(reason: str) -> SfnError:
    return SfnError("InvalidArn", f"Invalid Arn: '{reason}'")


def invalid_arn_prefix(arn: str) -> SfnError:
    return invalid_arn(f"Invalid ARN prefix: {arn}")


def invalid_resource_type(resource_type: str) -> SfnError:
    return invalid_arn(f"Resource type not valid in this context: {resource_type}")


def invalid_name(name: str) -> SfnError:
    return SfnError("InvalidName", f"Invalid Name: '{name}'")


def state_machine_does_not_exist(arn: str) -> SfnError:
    return SfnError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")


def state_machine_already_exists(arn: str) -> SfnError:
    return SfnError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")


def state_machine_deleting(arn: str) -> SfnError:
    # UNVERIFIED wording: no recorded response found; follows the "... : '<arn>'" pattern.
    return SfnError("StateMachineDeleting", f"State Machine is being deleted: '{arn}'")


def execution_does_not_exist(arn: str) -> SfnError:
    return SfnError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")


def execution_already_exists(arn: str) -> SfnError:
    return SfnError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")


def activity_does_not_exist(arn: str) -> SfnError:
    return SfnError("ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")


def activity_already_exists(arn: str) -> SfnError:
    return SfnError("ActivityAlreadyExists", f"Activity Already Exists: '{arn}'")


def resource_not_found(arn: str) -> SfnError:
    return SfnError("ResourceNotFound", f"Resource not found: '{arn}'", resource_name=arn)


def resource_does_not_exist() -> SfnError:
    # Recorded for UpdateStateMachineAlias on a missing alias.
    return SfnError("ResourceNotFound", "Request references a resource that does not exist.")


def invalid_token(detail: str = "Invalid token") -> SfnError:
    # UNVERIFIED detail for malformed tokens: "Invalid Token: 'Invalid token'".
    return SfnError("InvalidToken", f"Invalid Token: '{detail}'")


def task_does_not_exist() -> SfnError:
    # UNVERIFIED wording.
    return SfnError("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'")


def task_timed_out() -> SfnError:
    # Recorded from real AWS for a token whose task has ended (aws-samples MWAA issue #61).
    return SfnError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")


def invalid_execution_input(detail: str) -> SfnError:
    return SfnError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{detail}'")


def invalid_output(detail: str) -> SfnError:
    # UNVERIFIED wording, modelled on InvalidExecutionInput.
    return SfnError("InvalidOutput", f"Invalid Output: '{detail}'")


def invalid_definition(message: str) -> SfnError:
    return SfnError("InvalidDefinition", message)


def type_not_supported() -> SfnError:
    return SfnError(
        "StateMachineTypeNotSupported", "This operation is not supported by this type of state machine"
    )


def too_many_tags(arn: str, limit: int = 50) -> SfnError:
    # UNVERIFIED wording.
    return SfnError(
        "TooManyTags",
        f"Too many tags: the resource '{arn}' can have at most {limit} tags",
        resource_name=arn,
    )


def conflict(message: str) -> SfnError:
    return SfnError("ConflictException", message)


def missing_required_parameter(message: str) -> SfnError:
    return SfnError("MissingRequiredParameter", message)
