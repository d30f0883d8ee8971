"""JSONata for Step Functions: ``{% ... %}`` expressions, parsed once, evaluated many times.

https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html

* :func:`compile_expression` compiles one expression; :meth:`Expression.evaluate` runs it with
  the reserved variable ``$states`` and the workflow variables as bindings.
* :func:`compile_jsonata_value` compiles a field value whose strings may be templates;
  :meth:`JsonataTemplate.evaluate` returns it with every template replaced.
* Step Functions' added functions ($partition, $range, $hash, $random, $uuid, $parse) are
  available in every expression; ``$eval`` is refused; ``$now()`` and ``$millis()`` read the
  ``now`` the caller gives.
"""

from __future__ import annotations

from asl.jsonata.expression import UNDEFINED, Expression, compile_expression
from asl.jsonata.failures import (
    INVALID_JSONATA_EXPRESSION,
    UNSUPPORTED_JSONATA_EXPRESSION,
    JsonataDefinitionError,
    JsonataEvaluationError,
)
from asl.jsonata.templates import JsonataTemplate, compile_jsonata_value, is_template

__all__ = [
    "INVALID_JSONATA_EXPRESSION",
    "UNDEFINED",
    "UNSUPPORTED_JSONATA_EXPRESSION",
    "Expression",
    "JsonataDefinitionError",
    "JsonataEvaluationError",
    "JsonataTemplate",
    "compile_expression",
    "compile_jsonata_value",
    "is_template",
]
