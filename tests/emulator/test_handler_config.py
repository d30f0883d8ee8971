"""The local configuration file (emulator.handler_config) and handlers that follow their
module's file (emulator.reloading)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import pytest

import asl
from emulator import handler_config
from emulator.driver import run_local
from emulator.handler_config import HandlerConfigError
from emulator.handlers import TaskFailure
from emulator.reloading import ReloadingHandler

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:Greet"


def _module(directory: Path, body: str) -> str:
    """A module of a fresh name in ``directory``; its name."""
    name = f"cfg_{uuid.uuid4().hex[:10]}"
    (directory / f"{name}.py").write_text(body)
    return name


def _edit(path: Path, body: str) -> None:
    """Rewrite ``path`` with a modification time certainly after the previous one."""
    before = path.stat().st_mtime_ns
    path.write_text(body)
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def _config(directory: Path, text: str) -> Path:
    path = directory / "stepline.toml"
    path.write_text(text)
    return path


def _lambda_machine() -> asl.StateMachine:
    return asl.load(
        json.dumps(
            {
                "StartAt": "Call",
                "States": {"Call": {"Type": "Task", "Resource": FUNCTION, "End": True}},
            }
        )
    )


def test_handlers_and_python_path_relative_to_the_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    name = _module(src, "def greet(event):\n    return {'hello': event['name']}\n")
    path = _config(
        tmp_path,
        f'python_path = ["src"]\n\n[handlers]\n"Greet" = "{name}:greet"\n\n'
        '[machines]\n"Child" = "machines/child.asl.json"\n',
    )
    config = handler_config.load(path)
    assert str(src.resolve()) in sys.path
    assert set(config.handlers) == {"Greet"}
    assert config.handlers["Greet"]({"name": "Ada"}) == {"hello": "Ada"}
    assert config.machines == {"Child": tmp_path.resolve() / "machines" / "child.asl.json"}
    # A Lambda function registered by its name answers the function's ARN resource.
    result = run_local(_lambda_machine(), {"name": "Bo"}, config.handlers)
    assert result.status == "SUCCEEDED"
    assert result.output == {"hello": "Bo"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("handler = {}\n", "unknown key 'handler'"),
        (
            '[handlers]\n"Greet" = "no_colon_here"\n',
            "handlers.Greet: handler must be written module:function",
        ),
        (
            '[handlers]\n"Greet" = "no_such_module_xyz:f"\n',
            "cannot import module 'no_such_module_xyz'",
        ),
        ('[handlers]\n"Greet" = "json:no_such_function"\n', "has no attribute 'no_such_function'"),
        ('[handlers]\n"Greet" = 3\n', "handlers.Greet must be a string"),
        ('python_path = "src"\n', "python_path must be a list of directory names"),
        ("handlers = 1\n", "handlers must be a table"),
        ("[handlers\n", "is not valid TOML"),
    ],
)
def test_bad_files_are_errors_naming_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(HandlerConfigError) as excinfo:
        handler_config.load(path)
    assert message in str(excinfo.value)
    assert str(path) in str(excinfo.value)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        HandlerConfigError, match=r"cannot read the configuration file .*nothere\.toml"
    ):
        handler_config.load(tmp_path / "nothere.toml")


def test_an_edited_module_is_reloaded_before_the_next_call(tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    try:
        name = _module(tmp_path, "def handler(event):\n    return 'one'\n")
        handler = ReloadingHandler(name, "handler")
        assert handler({}) == "one"
        assert handler({}) == "one"
        _edit(tmp_path / f"{name}.py", "def handler(event):\n    return 'two'\n")
        assert handler({}) == "two"
        assert sys.modules[name].handler({}) == "two"  # the module itself was reloaded
    finally:
        sys.path.remove(str(tmp_path))


def test_a_broken_edit_fails_until_fixed(tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    try:
        name = _module(tmp_path, "def handler(event):\n    return 1\n")
        file = tmp_path / f"{name}.py"
        handler = ReloadingHandler(name, "handler")
        assert handler({}) == 1
        _edit(file, "def handler(event:\n    return 2\n")
        for _ in range(2):  # it keeps failing while the file stays broken
            with pytest.raises(TaskFailure) as excinfo:
                handler({})
            assert excinfo.value.error == "States.TaskFailed"
            assert excinfo.value.cause.startswith(
                f"The handler {name}:handler could not be reloaded after its module changed ({file}): "
            )
            assert "SyntaxError" in excinfo.value.cause
        _edit(file, "def other(event):\n    return 3\n")
        with pytest.raises(TaskFailure) as excinfo:
            handler({})
        assert f"module '{name}' has no attribute 'handler'" in excinfo.value.cause
        _edit(file, "def handler(event):\n    return 4\n")
        assert handler({}) == 4
    finally:
        sys.path.remove(str(tmp_path))


def test_a_broken_edit_fails_the_task_with_the_cause(tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    try:
        name = _module(tmp_path, "def handler(event):\n    return 1\n")
        handlers = {"Greet": ReloadingHandler(name, "handler")}
        _edit(tmp_path / f"{name}.py", "raise RuntimeError('config missing')\n")
        result = run_local(_lambda_machine(), {}, handlers)
        assert result.status == "FAILED"
        assert result.error == "States.TaskFailed"
        assert result.cause is not None
        assert "RuntimeError: config missing" in result.cause
        assert [e.type for e in result.events][-2:] == ["LambdaFunctionFailed", "ExecutionFailed"]
    finally:
        sys.path.remove(str(tmp_path))


def test_a_failing_handler_traceback_shows_only_the_handler(tmp_path: Path) -> None:
    """The reload check runs before the call, not in a frame around it: Lambda's error
    object lists the handler's frames alone, as it does for a plain function."""
    sys.path.insert(0, str(tmp_path))
    try:
        name = _module(tmp_path, "def handler(event):\n    raise ValueError('bad input')\n")
        result = run_local(_lambda_machine(), {}, {"Greet": ReloadingHandler(name, "handler")})
        assert result.status == "FAILED"
        assert result.error == "ValueError"
        assert result.cause is not None
        cause = json.loads(result.cause)
        assert cause["errorMessage"] == "bad input"
        assert len(cause["stackTrace"]) == 1
        assert f"{name}.py" in cause["stackTrace"][0]
    finally:
        sys.path.remove(str(tmp_path))


def test_handlers_of_one_module_share_one_reload(tmp_path: Path) -> None:
    sys.path.insert(0, str(tmp_path))
    loads = tmp_path / "loads.txt"
    body = (
        f"with open({str(loads)!r}, 'a') as f:\n    f.write('x')\n"
        "def one(event):\n    return 'one-{v}'\n"
        "def two(event):\n    return 'two-{v}'\n"
    )
    try:
        name = _module(tmp_path, body.format(v=1))
        first, second = ReloadingHandler(name, "one"), ReloadingHandler(name, "two")
        assert (first({}), second({})) == ("one-1", "two-1")
        _edit(tmp_path / f"{name}.py", body.format(v=2))
        assert (first({}), second({})) == ("one-2", "two-2")
        assert loads.read_text() == "xx"  # imported, then re-imported once
    finally:
        sys.path.remove(str(tmp_path))
