"""ARNs and names of Step Functions resources: building them, reading them back, and
AWS's name rules.

Formats (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html,
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-alias.html,
https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html)::

    arn:aws:states:REGION:ACCOUNT:stateMachine:NAME             state machine
    arn:aws:states:REGION:ACCOUNT:stateMachine:NAME:7           version 7
    arn:aws:states:REGION:ACCOUNT:stateMachine:NAME:ALIAS       alias
    arn:aws:states:REGION:ACCOUNT:execution:NAME:EXECUTION      standard execution
    arn:aws:states:REGION:ACCOUNT:express:NAME:EXECUTION:UUID   express execution
    arn:aws:states:REGION:ACCOUNT:activity:NAME                 activity
    arn:aws:states:REGION:ACCOUNT:mapRun:NAME/LABEL:UUID        map run
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from emulator.sfn import errors

PARTITION = "aws"

# Names: 1-80 characters, none of the characters AWS lists for StartExecution's name
# (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html):
# white space, brackets < > { } [ ], wildcards ? *, special characters " # % \ ^ | ~ ` $ & , ; : /,
# control characters (U+0000-001F, U+007F-009F) and surrogates/non-characters U+FFFE-FFFF.
_FORBIDDEN = re.compile(
    r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]"
)


def valid_name(name: str) -> bool:
    return 0 < len(name) <= 80 and _FORBIDDEN.search(name) is None


def check_name(name: str) -> None:
    if not valid_name(name):
        raise errors.invalid_name(name)


@dataclass(frozen=True)
class Arn:
    region: str
    account: str
    resource_type: str
    parts: tuple[str, ...]  # what follows the resource type, split on ":"
    text: str


def parse(text: str) -> Arn:
    """Split an ARN of the states service; InvalidArn "Invalid ARN prefix" otherwise."""
    pieces = text.split(":")
    if len(pieces) < 7 or pieces[0] != "arn" or pieces[2] != "states" or not pieces[1]:
        raise errors.invalid_arn_prefix(text)
    return Arn(pieces[3], pieces[4], pieces[5], tuple(pieces[6:]), text)


@dataclass(frozen=True)
class MachineRef:
    """A state machine ARN, possibly qualified by a version number or an alias name."""

    arn: str  # the unqualified state machine ARN
    name: str
    version: int | None = None
    alias: str | None = None

    @property
    def qualified(self) -> bool:
        return self.version is not None or self.alias is not None


def parse_machine(text: str, *, allow_version: bool = True, allow_alias: bool = True) -> MachineRef:
    arn = parse(text)
    if arn.resource_type != "stateMachine":
        raise errors.invalid_resource_type(arn.resource_type)
    if len(arn.parts) > 2 or not arn.parts[0]:
        raise errors.invalid_arn(f"Invalid ARN format: {text}")
    base = ":".join(text.split(":")[:7])
    if len(arn.parts) == 1:
        return MachineRef(base, arn.parts[0])
    qualifier = arn.parts[1]
    if qualifier.isdigit() and qualifier.isascii():
        if not allow_version:
            raise errors.invalid_arn(f"Invalid ARN format: {text}")
        return MachineRef(base, arn.parts[0], version=int(qualifier))
    if not allow_alias or not qualifier:
        raise errors.invalid_arn(f"Invalid ARN format: {text}")
    return MachineRef(base, arn.parts[0], alias=qualifier)


@dataclass(frozen=True)
class ExecutionRef:
    arn: str
    machine_name: str
    name: str
    express: bool


def parse_execution(text: str, *, allow_express: bool = False) -> ExecutionRef:
    arn = parse(text)
    if arn.resource_type == "express" and allow_express and len(arn.parts) == 3:
        return ExecutionRef(text, arn.parts[0], arn.parts[1], True)
    if arn.resource_type != "execution":
        raise errors.invalid_resource_type(arn.resource_type)
    if len(arn.parts) != 2 or not all(arn.parts):
        raise errors.invalid_arn(f"Invalid ARN format: {text}")
    return ExecutionRef(text, arn.parts[0], arn.parts[1], False)


def parse_activity(text: str) -> str:
    """The activity name of an activity ARN."""
    arn = parse(text)
    if arn.resource_type != "activity":
        raise errors.invalid_resource_type(arn.resource_type)
    if len(arn.parts) != 1 or not arn.parts[0]:
        raise errors.invalid_arn(f"Invalid ARN format: {text}")
    return arn.parts[0]


def machine_arn(region: str, account: str, name: str) -> str:
    return f"arn:{PARTITION}:states:{region}:{account}:stateMachine:{name}"


def activity_arn(region: str, account: str, name: str) -> str:
    return f"arn:{PARTITION}:states:{region}:{account}:activity:{name}"


def execution_arn(machine: str, name: str) -> str:
    """The standard execution ARN for ``machine`` (an unqualified state machine ARN)."""
    prefix, _, machine_name = machine.rpartition(":stateMachine:")
    return f"{prefix}:execution:{machine_name}:{name}"


def express_execution_arn(machine: str, name: str, uuid: str) -> str:
    prefix, _, machine_name = machine.rpartition(":stateMachine:")
    return f"{prefix}:express:{machine_name}:{name}:{uuid}"


def version_arn(machine: str, number: int) -> str:
    return f"{machine}:{number}"


def alias_arn(machine: str, alias: str) -> str:
    return f"{machine}:{alias}"


def split_test_case(text: str) -> tuple[str, str | None]:
    """``ARN#TestCase`` -> (ARN, TestCase): Step Functions Local's way of choosing a test case
    of its mock file at StartExecution; ``#`` cannot occur in a name, so the split is
    unambiguous.  https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html
    """
    arn, sep, case = text.partition("#")
    return (arn, case) if sep else (text, None)
