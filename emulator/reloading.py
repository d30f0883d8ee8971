"""Local handlers that follow their source: a handler whose module file changed on disk is
re-imported (:func:`importlib.reload`) before its next call.

A :class:`ReloadingHandler` stands where a plain function stood in the ``Mapping[str,
Callable]`` the runner and ``run_local`` use.  It is looked up at call time: calling it
first checks the module file (modification time and size), reloads the module when it
changed, and then calls the function found in the fresh module.  The check happens while
the handler is being looked up (``__call__`` is a property), not in a frame of its own, so
the traceback of a failing handler holds the handler's frames only, as Lambda's does.
Handlers of one module share its watch: one edit, one re-import.  Only the handler's own
module is followed, not the modules it imports.

A module that no longer imports after a change (a syntax error, an exception at import, a
function gone) fails every call with ``States.TaskFailed`` and a cause naming the module, the
file and the error, until the file changes again and imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from emulator.handlers import Handler, HandlerSpecError, TaskFailure

RELOAD_ERROR = "States.TaskFailed"


def _stamp(path: str) -> tuple[int, int] | None:
    """What tells a changed file: (mtime in ns, size); None for a file that cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def _resolve(module: ModuleType, attribute: str) -> Any:
    target: Any = module
    for part in attribute.split("."):
        target = getattr(target, part, None)
        if target is None:
            raise HandlerSpecError(f"module {module.__name__!r} has no attribute {attribute!r}")
    if not callable(target):
        raise HandlerSpecError(f"'{module.__name__}:{attribute}' is not callable")
    return target


class _WatchedModule:
    """One handler module and its file, shared by every handler in it (so one edit means one
    re-import)."""

    def __init__(self, module: ModuleType) -> None:
        self.name = module.__name__
        self.module = module
        self.path: str | None = getattr(module, "__file__", None)
        self.stamp = _stamp(self.path) if self.path is not None else None
        self.failure: str | None = None  # why the file on disk does not import

    def current(self) -> ModuleType:
        """The module as its file is now; HandlerSpecError if that file does not import.
        The caller holds ``_LOCK``."""
        if self.path is not None:  # else a built-in or namespace module: nothing to follow
            stamp = _stamp(self.path)
            if stamp != self.stamp:
                self.stamp = stamp
                self.failure = (
                    f"its file {self.path} cannot be read" if stamp is None else self._reload()
                )
        if self.failure is not None:
            raise HandlerSpecError(self.failure)
        return self.module

    def _reload(self) -> str | None:
        assert self.path is not None
        module = self.module
        saved = dict(module.__dict__)
        try:
            _drop_bytecode(self.path)
            importlib.invalidate_caches()
            # A re-import starts from an empty module, so a function removed from the file
            # is gone (importlib.reload alone would keep the old one).
            for key in [k for k in module.__dict__ if not k.startswith("__")]:
                del module.__dict__[key]
            sys.modules[self.name] = module
            self.module = importlib.reload(module)
        except Exception as exc:  # whatever the module raised at import
            # The module's other users keep its last working contents.
            module.__dict__.clear()
            module.__dict__.update(saved)
            sys.modules[self.name] = module
            return "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return None


_LOCK = threading.Lock()  # handlers run in worker threads under stepline serve
_WATCHED: dict[str, _WatchedModule] = {}


def _watch(module_name: str) -> _WatchedModule:
    with _LOCK:
        watched = _WATCHED.get(module_name)
        if watched is None:
            try:
                module = importlib.import_module(module_name)
            except Exception as exc:  # an import error of any kind is a bad specification
                raise HandlerSpecError(
                    f"cannot import module {module_name!r}: {type(exc).__name__}: {exc}"
                ) from None
            watched = _WATCHED[module_name] = _WatchedModule(module)
        return watched


class ReloadingHandler:
    """``module:function``, re-imported when the module's file changes."""

    def __init__(self, module_name: str, attribute: str) -> None:
        self.module = _watch(module_name)
        self.attribute = attribute
        with _LOCK:
            _resolve(self.module.current(), attribute)  # a bad name is a bad specification

    @property
    def target(self) -> str:
        return f"{self.module.name}:{self.attribute}"

    @property
    def __call__(self) -> Callable[[Any], Any]:
        """The function to call now (its module reloaded first if the file changed)."""
        with _LOCK:
            try:
                function: Callable[[Any], Any] = _resolve(self.module.current(), self.attribute)
            except HandlerSpecError as exc:
                return _failing(
                    f"The handler {self.target} could not be reloaded after its module "
                    f"changed ({self.module.path}): {exc}"
                )
            return function


def _failing(cause: str) -> Handler:
    def failed(_: Any) -> Any:
        raise TaskFailure(RELOAD_ERROR, cause)

    return failed


def _drop_bytecode(path: str) -> None:
    """Remove the module's cached bytecode: an edit within the same second that keeps the
    file's size would otherwise pass the cache's (seconds, size) check and load the old code."""
    if not path.endswith(".py"):
        return
    try:
        cached = importlib.util.cache_from_source(path)
    except (NotImplementedError, ValueError):
        return
    Path(cached).unlink(missing_ok=True)


def reloading_handler(target: str) -> ReloadingHandler:
    """``package.module:function`` as a :class:`ReloadingHandler` (imported now)."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise HandlerSpecError(f"handler must be written module:function, got {target!r}")
    return ReloadingHandler(module_name, attribute)


def parse_reloading_spec(spec: str) -> tuple[str, ReloadingHandler]:
    """``KEY=module:function`` -> (key, handler), as :func:`emulator.handlers.parse_handler_spec`
    but following the module's file."""
    resource, sep, target = spec.rpartition("=")
    if not sep or not resource:
        raise HandlerSpecError(f"expected KEY=module:function, got {spec!r}")
    return resource, reloading_handler(target)
