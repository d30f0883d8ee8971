"""AWS's wording for each diagnostic, in one place.

AWS documents the codes but not the messages ("Do not rely on the exact ... wording",
https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html),
so every text here comes from output recorded against the real service; the source is given
next to it.  Texts marked UNVERIFIED follow the style of the recorded family but were not
seen verbatim; change them when a recording turns up.

Recorded sources:
  [LS]   localstack/localstack tests/aws/services/stepfunctions/v2/test_sfn_api_validation.snapshot.json
  [FL]   floci-io/floci issues #2735, #2968 and PR #2786 (measured with
         ``aws stepfunctions validate-state-machine-definition``)
  [CFN]  aws-cloudformation/cfn-lint issues #4073-#4085 (CloudFormation deploy errors)
  [CDK]  aws/aws-cdk issue #10530 (CloudFormation deploy error)
  [SAM]  aws/aws-sam-cli-app-templates issue #185, aws/aws-sam-cli issue #2315
  [FN]   sam-goodwin/functionless issue #308
"""

from __future__ import annotations

from collections.abc import Iterable

# --- the schema family (code SCHEMA_VALIDATION_FAILED) --------------------------------------


# [LS] {} -> "These fields are required: [States, StartAt]" at "/"; [CFN #4077] a Choice Rule
# without Next -> "These fields are required: [Next]" at /States/Choice/Choices[0].
# The recorded order [States, StartAt] is the iteration order of a java.util.HashSet holding
# those two names, so lists are put in that order (see java_hash_set_order).
def required(fields: Iterable[str]) -> str:
    return f"These fields are required: [{', '.join(java_hash_set_order(fields))}]"


# [FL] TimeoutSeconds on Map/Parallel/Pass, Catch on Pass, Retry on Wait, QueryLanguage on an
# ItemProcessor; [FN] ResultPath on Wait.  Located at the object holding the field.
def unsupported_field(name: str) -> str:
    return f"Field '{name}' is not supported"


# [FL] "Expected value of type [STRING]" for "QueryLanguage": 5, at the field.  The other type
# names (INTEGER, NUMBER, BOOLEAN, OBJECT, ARRAY) follow Jackson's JsonNodeType spelling:
# UNVERIFIED.
def expected_type(type_name: str) -> str:
    return f"Expected value of type [{type_name}]"


# [FL] "Value should be one of the following: [JSONPath, JSONata]", at the field.
def one_of(values: Iterable[str]) -> str:
    return f"Value should be one of the following: [{', '.join(values)}]"


# [FL] MaxConcurrency -1 -> "Minimum value is 0"; [CFN #4075] Wait Seconds 1e16 ->
# "Maximum value is 99999999".  Both at the field.
def minimum(bound: int | float) -> str:
    return f"Minimum value is {_number(bound)}"


def maximum(bound: int | float) -> str:
    return f"Maximum value is {_number(bound)}"


# UNVERIFIED: an empty array where at least one item is required (Choices, Branches,
# ErrorEquals, And, Or).
def min_items(count: int) -> str:
    return f"Minimum number of items is {count}"


# [CFN #4078] "OutputPath": "Test" -> "Value must be a valid JSONPath." at the field.
INVALID_PATH = "Value must be a valid JSONPath."

# [CFN #4076] Choice "Variable": "Test" -> "Value is not a Reference Path: Reference path
# didn't start with '$'" at the field.  Other reasons are worded by asl.jsonpath: UNVERIFIED.
NO_DOLLAR_REASON = "Reference path didn't start with '$'"


def not_reference_path(reason: str) -> str:
    return f"Value is not a Reference Path: {reason}"


# [CFN #4085] "Variable.$": "Test" in Assign -> this text at /States/Pass/Assign; [SAM
# aws-sam-cli#2315] the same family at /States/SendNotification/Parameters.  Located at the
# object holding the "key.$" entry.
def invalid_dynamic_value(key: str) -> str:
    return f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"


# [SAM #185] (Step Functions Local, which embeds the service's validator) "Value is not a valid
# resource ARN" at /States/<name>/Resource.
INVALID_RESOURCE_ARN = "Value is not a valid resource ARN"

# [CDK #10530] at .../Retry[0]/ErrorEquals[0] and .../Catch[0]/ErrorEquals[0].
STATES_ALL_NOT_ALONE_OR_LAST = "States.ALL must appear alone and at end of list"

# [FL #2968] at the state.
QUERY_LANGUAGE_DOWNGRADE = (
    "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
)


# [FL #2968] at the state, e.g. "The QueryLanguage is set to 'JSONPath', but field 'Output' is
# only supported for the 'JSONata' QueryLanguage".
def field_of_other_language(language: str, name: str) -> str:
    other = "JSONata" if language == "JSONPath" else "JSONPath"
    return (
        f"The QueryLanguage is set to '{language}', but field '{name}' is only supported "
        f"for the '{other}' QueryLanguage"
    )


# [LS] ValidateStateMachineDefinition(" ") -> this text, no location.
NOT_A_JSON_OBJECT = "Definition must be a valid JSON object"

# UNVERIFIED wordings for rules AWS enforces but whose text was not recorded.
NEXT_AND_END = "Only one of 'Next' or 'End' can be specified"
MUTUALLY_EXCLUSIVE = "Only one of these fields can be specified: [{fields}]"
EXACTLY_ONE = "Exactly one of these fields is required: [{fields}]"
NO_COMPARISON_OPERATOR = "A Choice Rule must have exactly one comparison operator"
HEARTBEAT_NOT_BELOW_TIMEOUT = "HeartbeatSeconds must be smaller than TimeoutSeconds"
INVALID_TIMESTAMP = "Value must be a valid ISO-8601 extended offset date-time format string"
STRING_INTRINSIC_ONLY = (
    "Value must be a valid Reference Path or an intrinsic function that returns a string "
    "(States.ArrayGetItem, States.Base64Decode, States.Base64Encode, States.Format, "
    "States.Hash, States.JsonToString, States.UUID)"
)
EXECUTION_TYPE_NEEDS_DISTRIBUTED = (
    "Field 'ExecutionType' is only supported when 'Mode' is set to 'DISTRIBUTED'"
)
RESULT_PATH_NOT_STATE_DATA = "ResultPath can only refer to the state's data ('$')"


def mutually_exclusive(fields: Iterable[str]) -> str:
    return MUTUALLY_EXCLUSIVE.format(fields=", ".join(fields))


def exactly_one(fields: Iterable[str]) -> str:
    return EXACTLY_ONE.format(fields=", ".join(fields))


# UNVERIFIED (the quota is documented: state names are 1-80 characters, e.g.
# https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateExitedEventDetails.html).
def invalid_state_name(name: str) -> str:
    return f"State name must be between 1 and 80 characters long: {name}"


# --- JSONata expressions (codes INVALID_JSONATA_EXPRESSION, UNSUPPORTED_JSONATA_EXPRESSION) ---
# The syntax message is JSONata's own, without its code (asl.validation.jsonata_fields).


# [FL #2670, PR #2699] at the string holding the expression, e.g. /States/E/Output/v; "$" for
# the context item itself ("$.phone").
def top_level_reference(name: str) -> str:
    return f"Reference to '{name}' at the top level is not supported."


# [FL PR #2786] "$$" in an expression.
ROOT_REFERENCE = "Reference to '$$' is not supported."


# [FL PR #2786] "Field '$states.errorOutput' does not exist." for $states.errorOutput outside a
# Catcher's Output/Assign.  The same wording for $states.result outside the Output/Assign of a
# Task, Parallel or Map is UNVERIFIED (AWS documents that it is caught at creation:
# https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html).
def missing_states_field(field: str) -> str:
    return f"Field '$states.{field}' does not exist."


# --- workflow variables (code SCHEMA_VALIDATION_FAILED) -------------------------------------
# https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html: a variable name
# is a Unicode identifier (ID_Start, then ID_Continue), at most 80 characters; "$states" is
# reserved.  All three wordings are UNVERIFIED; located at the Assign object, like the recorded
# "The value for the field 'Variable.$' must be ..." [CFN #4085].
def invalid_variable_name(name: str) -> str:
    return f"The variable name '{name}' is not a valid identifier"


def variable_name_too_long(name: str) -> str:
    return f"The variable name '{name}' is longer than 80 characters"


def reserved_variable_name(name: str) -> str:
    return f"The variable name '{name}' is reserved"


# --- transitions and the graph ---------------------------------------------------------------


# [FL PR #2786, CFN #4074, localstack#11978] MISSING_TRANSITION_TARGET.  The word is always
# 'Next', whether the dangling name sits in Next, Default, Choices[i].Next, Catch[i].Next or
# StartAt; located at that field.
def missing_target(name: str) -> str:
    return f"Missing 'Next' target: {name}"


# [FL PR #2786, CFN #4073] MISSING_TRANSITION_TARGET at /States/<name> (note the period).
def unreachable(name: str) -> str:
    return f'State "{name}" is not reachable.'


# [FL #2735] MISSING_END_STATE, no location.
NO_TERMINAL_STATE = "Workflow has no terminal state"


# Step Functions Local (which embeds the service's validator): "DUPLICATE_STATE_NAME: Duplicate
# State name: MissingValue at /States/MissingValue" (quoted in a localstack/localstack test
# docstring).  Which occurrence is located is UNVERIFIED; we take the later one.
def duplicate_state_name(name: str) -> str:
    return f"Duplicate State name: {name}"


# Description of TOO_DEEPLY_NESTED on the API reference page above.
TOO_DEEPLY_NESTED = "The states are too deeply nested."


# The API's own length constraint on ``definition`` (botocore model: Definition max 1048576),
# in the standard AWS ValidationException wording for a sensitive member.
DEFINITION_TOO_LARGE = (
    "1 validation error detected: Value at 'definition' failed to satisfy constraint: "
    "Member must have length less than or equal to 1048576"
)


def _number(value: int | float) -> str:
    return str(value)


def java_hash_set_order(names: Iterable[str]) -> list[str]:
    """The order a ``java.util.HashSet`` of these strings iterates in (default capacity 16,
    growing at 75% load): by bucket ``(h ^ (h >>> 16)) & (capacity - 1)`` where ``h`` is
    ``String.hashCode()``; names sharing a bucket keep insertion order."""
    items = list(dict.fromkeys(names))
    capacity = 16
    while len(items) > capacity * 3 // 4:
        capacity *= 2
    mask = capacity - 1
    return sorted(items, key=lambda name: _spread(_java_string_hash(name)) & mask)


def _java_string_hash(text: str) -> int:
    h = 0
    data = text.encode("utf-16-be", "surrogatepass")
    for index in range(0, len(data), 2):
        h = (31 * h + (data[index] << 8 | data[index + 1])) & 0xFFFFFFFF
    return h


def _spread(h: int) -> int:
    return h ^ (h >> 16)
