"""Static checks of the expressions a definition carries: paths, reference paths, intrinsic
function calls, timestamps and payload templates.

The compilers are the ones the loader uses (``asl.jsonpath``, ``asl.intrinsics``,
``asl.timestamps``), so whatever passes here also compiles there.  They are imported lazily:
when a module is not importable a conservative syntactic check stands in for it.
Compiled results are discarded; validation runs once per definition load.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from asl.validation import messages
from asl.validation.report import Report

# https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html: ErrorPath/CausePath
# take a reference path or an intrinsic that returns a string, one of these.
STRING_INTRINSICS = frozenset(
    {
        "States.Format",
        "States.JsonToString",
        "States.ArrayGetItem",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    }
)

_INTRINSIC_SHAPE = re.compile(r"\s*States\.[A-Za-z0-9]+\s*\(.*\)\s*", re.DOTALL)
_INTRINSIC_NAME = re.compile(r"\s*(States\.[A-Za-z0-9]+)")
# Fallback reference path: $ / $$ / $name followed by .field, ['field'] or [n] steps.
_REFERENCE_SHAPE = re.compile(
    r"\$(?:\$|[A-Za-z_][A-Za-z0-9_]*)?"
    r"(?:\.[^.\[\]'\"*@?()\s][^.\[\]'\"*@?()]*|\['(?:[^'\\]|\\.)+'\]|\[\"(?:[^\"\\]|\\.)+\"\]|\[[0-9]+\])*"
)


# -- the collaborators, imported when first needed --------------------------------------------


@cache
def collaborator(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except Exception:  # not written yet, or broken: fall back to the syntactic checks
        return None
    return found if callable(found) else None


def _compile(module: str, name: str, text: str) -> tuple[bool, Any, str]:
    """(available, compiled-or-None, error message)."""
    compile_ = collaborator(module, name)
    if compile_ is None:
        return False, None, ""
    try:
        return True, compile_(text), ""
    except RecursionError:
        raise
    except ImportError:  # the compiler itself needs a module that is not there yet
        return False, None, ""
    except Exception as exc:  # DefinitionError (or a bug): either way the text does not compile
        return True, None, str(exc)


# -- single values ----------------------------------------------------------------------------


def path_ok(text: str) -> bool:
    """A Path (any JSONPath AWS accepts: InputPath, OutputPath, "key.$" values)."""
    available, compiled, _ = _compile("asl.jsonpath", "compile_path", text)
    if available:
        return compiled is not None
    return text.startswith("$")


def reference_path_error(text: str) -> str | None:
    """None when ``text`` is a Reference Path, else the reason (for messages.not_reference_path)."""
    if not text.startswith("$"):
        return messages.NO_DOLLAR_REASON
    available, compiled, error = _compile("asl.jsonpath", "compile_reference_path", text)
    if available:
        return None if compiled is not None else (error or "invalid Reference Path")
    return None if _REFERENCE_SHAPE.fullmatch(text) else "invalid Reference Path"


def reference_root(text: str) -> str:
    """What a reference path reads from: "$", "$$" or "var"."""
    if text.startswith("$$"):
        return "$$"
    if len(text) > 1 and text[1] not in ".[":
        return "var"
    return "$"


def looks_like_intrinsic(text: str) -> bool:
    return text.lstrip().startswith("States.")


def intrinsic_ok(text: str) -> bool:
    available, compiled, _ = _compile("asl.intrinsics", "compile_intrinsic", text)
    if available:
        return compiled is not None
    return _INTRINSIC_SHAPE.fullmatch(text) is not None


def intrinsic_name(text: str) -> str:
    match = _INTRINSIC_NAME.match(text)
    return match.group(1) if match else ""


def timestamp_ok(text: str) -> bool:
    available, parsed, _ = _compile("asl.timestamps", "parse_timestamp", text)
    if available:
        return parsed is not None
    return _fallback_timestamp(text)


def _fallback_timestamp(text: str) -> bool:
    from datetime import datetime

    if not re.fullmatch(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
        r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])",
        text,
    ):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def dynamic_value_ok(value: Any) -> bool:
    """The string of a ``"key.$"`` entry: a path or an intrinsic function call."""
    if type(value) is not str:
        return False
    if looks_like_intrinsic(value):
        return intrinsic_ok(value)
    return path_ok(value)


# -- fields -----------------------------------------------------------------------------------


def check_path(report: Report, value: Any, location: str, nullable: bool = True) -> None:
    """InputPath / OutputPath: a Path or null."""
    if value is None and nullable:
        return
    if report.string(value, location) and not path_ok(value):
        report.schema(messages.INVALID_PATH, location)


def check_reference_path(
    report: Report, value: Any, location: str, nullable: bool = False, data_only: bool = False
) -> None:
    """ResultPath (nullable, state data only), ItemsPath, *Path fields, Choice Variable."""
    if value is None and nullable:
        return
    if not report.string(value, location):
        return
    reason = reference_path_error(value)
    if reason is None and data_only and reference_root(value) != "$":
        reason = messages.RESULT_PATH_NOT_STATE_DATA
    if reason is not None:
        report.schema(messages.not_reference_path(reason), location)


def check_string_producing(report: Report, value: Any, location: str) -> None:
    """Fail ErrorPath / CausePath: a reference path or a string-returning intrinsic."""
    if not report.string(value, location):
        return
    if looks_like_intrinsic(value):
        ok = intrinsic_name(value) in STRING_INTRINSICS and intrinsic_ok(value)
    else:
        ok = reference_path_error(value) is None
    if not ok:
        report.schema(messages.STRING_INTRINSIC_ONLY, location)


def check_template(report: Report, value: Any, location: str) -> None:
    """A payload template (Parameters, ResultSelector, ItemSelector, Credentials, Assign):
    every ``"key.$"`` holds a path or an intrinsic call, at any depth.  Reported at the object
    holding the key (recorded: /States/Pass/Assign for a top-level key)."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if type(key) is str and key.endswith(".$") and len(key) > 2:
                if not dynamic_value_ok(item):
                    report.schema(messages.invalid_dynamic_value(key), location)
            elif isinstance(item, (Mapping, list)):
                check_template(report, item, f"{location}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (Mapping, list)):
                check_template(report, item, f"{location}[{index}]")
