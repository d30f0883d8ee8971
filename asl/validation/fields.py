"""Which fields each object of a definition may carry, and which belong to one query language.

Source: AWS's ASL JSON schema and validator (aws/amazon-states-language-service,
src/json-schema/partial/*.json, src/validation/validationSchema.ts), summarised in
shared/reference/asl-and-api.md section 1.2, corrected by measurements against the service
(floci-io/floci #2735, #2968): TimeoutSeconds is accepted on Task only; Retry/Catch on Task,
Parallel and Map only; a Parallel branch, an ItemProcessor and an Iterator take no
QueryLanguage.  Field lists per state type are also on the state pages, e.g.
https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
"""

from __future__ import annotations

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
QUERY_LANGUAGES = ("JSONPath", "JSONata")
JSONPATH = "JSONPath"
JSONATA = "JSONata"

ROOT = frozenset({"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"})
BRANCH = frozenset({"Comment", "StartAt", "States"})
ITERATOR = frozenset({"Comment", "StartAt", "States"})
ITEM_PROCESSOR = frozenset({"Comment", "StartAt", "States", "ProcessorConfig"})
PROCESSOR_CONFIG = frozenset({"Mode", "ExecutionType"})

_COMMON = frozenset({"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Next", "End"})

STATE_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON | {"Result", "ResultPath", "Parameters", "Assign", "Output"},
    "Task": _COMMON
    | {
        "Resource",
        "Parameters",
        "Credentials",
        "ResultSelector",
        "ResultPath",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Retry",
        "Catch",
        "Arguments",
        "Output",
        "Assign",
    },
    "Choice": frozenset(
        {"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath"}
        | {"Choices", "Default", "Output", "Assign"}
    ),
    "Wait": _COMMON | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign", "Output"},
    "Succeed": frozenset({"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Output"}),
    "Fail": frozenset(
        {"Type", "Comment", "QueryLanguage", "Error", "ErrorPath", "Cause", "CausePath"}
    ),
    "Parallel": _COMMON
    | {
        "Branches",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Arguments",
        "Output",
        "Assign",
        "Retry",
        "Catch",
    },
    "Map": _COMMON
    | {
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
        "ResultSelector",
        "ResultPath",
        "Output",
        "Assign",
        "Retry",
        "Catch",
    },
}

# States that move on with Next or stop with End; Choice, Succeed and Fail take neither.
# https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
TRANSITIONING = frozenset({"Pass", "Task", "Wait", "Parallel", "Map"})

RETRIER = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
CATCHER = frozenset({"ErrorEquals", "Next", "ResultPath", "Comment", "Output", "Assign"})

# Fields that exist in one query language only.  A JSONata-only field in a JSONPath state and a
# JSONPath-only field in a JSONata state are both reported, at the state, with
# messages.field_of_other_language.  Measured: Output, Arguments, Items / InputPath,
# OutputPath, ResultPath, MaxConcurrencyPath (floci-io/floci #2968, PR #2786); the rest from
# https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html ("your workflow
# fields will be reduced from five JSONPath fields (InputPath, Parameters, ResultSelector,
# ResultPath, and OutputPath) to only two fields: Arguments and Output") and the per-state
# pages, which mark the *Path fields "JSONPath only" — and Pass's Result ("Result (Optional,
# JSONPath only)", https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html).
JSONATA_ONLY = frozenset({"Output", "Arguments", "Items"})
JSONPATH_ONLY = frozenset(
    {
        "InputPath",
        "OutputPath",
        "ResultPath",
        "Parameters",
        "ResultSelector",
        "Result",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "ErrorPath",
        "CausePath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCountPath",
    }
)
# The same split inside a Catcher and a Choice Rule.
CATCHER_JSONATA_ONLY = frozenset({"Output"})
CATCHER_JSONPATH_ONLY = frozenset({"ResultPath"})

# Choice Rules (JSONPath): the comparison operators, each with a ...Path twin except
# StringMatches, plus the Is* type tests and the boolean combinators.
# https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
_COMPARED = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
STRING_OPERATORS = frozenset(f"String{c}" for c in _COMPARED) | {"StringMatches"}
NUMERIC_OPERATORS = frozenset(f"Numeric{c}" for c in _COMPARED)
TIMESTAMP_OPERATORS = frozenset(f"Timestamp{c}" for c in _COMPARED)
BOOLEAN_OPERATORS = frozenset({"BooleanEquals"})
PATH_OPERATORS = frozenset(
    f"{kind}{c}Path" for kind in ("String", "Numeric", "Timestamp") for c in _COMPARED
) | {"BooleanEqualsPath"}
TYPE_TESTS = frozenset({"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"})
COMBINATORS = frozenset({"And", "Or", "Not"})
DATA_TESTS = (
    STRING_OPERATORS
    | NUMERIC_OPERATORS
    | TIMESTAMP_OPERATORS
    | BOOLEAN_OPERATORS
    | PATH_OPERATORS
    | TYPE_TESTS
)
OPERATORS = DATA_TESTS | COMBINATORS

RULE_FIELDS = frozenset({"Variable", "Comment"})  # plus one operator
TOP_RULE_FIELDS = RULE_FIELDS | {"Next", "Assign"}
JSONATA_RULE_FIELDS = frozenset({"Condition", "Next", "Comment", "Assign", "Output"})

PROCESSOR_MODES = ("INLINE", "DISTRIBUTED")
EXECUTION_TYPES = ("STANDARD", "EXPRESS")
JITTER_STRATEGIES = ("FULL", "NONE")
