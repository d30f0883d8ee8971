"""The local configuration file of ``stepline serve`` and ``stepline run`` (TOML).

::

    python_path = ["src"]            # optional: directories added to sys.path

    [handlers]                       # KEY = "module:function", KEY as for --handler
    "Greet" = "handlers:greet"
    "arn:aws:states:::sqs:sendMessage" = "handlers:send"

    [machines]                       # stepline run: children of states:startExecution
    "Child" = "child.asl.json"

Relative paths (``python_path`` entries and ``[machines]`` files) are relative to the file.
Every key is checked: an unknown one is an error naming it, never ignored.  Handlers are
:class:`emulator.reloading.ReloadingHandler`: an edited module is re-imported before its
next call.
"""

from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.handlers import HandlerSpecError
from emulator.reloading import ReloadingHandler, reloading_handler

ENVIRONMENT = "STEPLINE_CONFIG"  # the default configuration file
_TOP_LEVEL = ("python_path", "handlers", "machines")


class HandlerConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass
class LocalConfig:
    source: Path
    handlers: dict[str, ReloadingHandler] = field(default_factory=dict)
    machines: dict[str, Path] = field(default_factory=dict)  # ARN or name -> definition file


def path_from_environment() -> str | None:
    """``$STEPLINE_CONFIG`` when set and not empty."""
    return os.environ.get(ENVIRONMENT) or None


def load(path: str | Path) -> LocalConfig:
    """Read, check and apply (``python_path``) the configuration file, then import its
    handlers."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise HandlerConfigError(
            f"cannot read the configuration file {source}: {exc.strerror}"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HandlerConfigError(f"{source} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(_TOP_LEVEL))
    if unknown:
        raise HandlerConfigError(
            f"{source}: unknown key {unknown[0]!r} (allowed: {', '.join(_TOP_LEVEL)})"
        )
    base = source.resolve().parent
    config = LocalConfig(source)
    entries = [
        str((base / directory).resolve()) for directory in _strings(data, "python_path", source)
    ]
    sys.path[0:0] = [entry for entry in dict.fromkeys(entries) if entry not in sys.path]
    for key, target in _table(data, "handlers", source).items():
        try:
            config.handlers[key] = reloading_handler(target)
        except HandlerSpecError as exc:
            raise HandlerConfigError(f"{source}: handlers.{_quoted(key)}: {exc}") from None
    for key, file in _table(data, "machines", source).items():
        config.machines[key] = base / file
    return config


def _quoted(key: str) -> str:
    return f'"{key}"' if not key.replace("_", "").replace("-", "").isalnum() else key


def _strings(data: dict[str, Any], key: str, source: Path) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise HandlerConfigError(f"{source}: {key} must be a list of directory names")
    return list(value)


def _table(data: dict[str, Any], key: str, source: Path) -> dict[str, str]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise HandlerConfigError(f"{source}: {key} must be a table")
    for name, item in value.items():
        if not isinstance(item, str) or not item:
            raise HandlerConfigError(f"{source}: {key}.{_quoted(name)} must be a string")
        if not name:
            raise HandlerConfigError(f"{source}: {key} has an empty key")
    return dict(value)
