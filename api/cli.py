"""The ``stepline`` command.

    stepline run DEFINITION.json [--input JSON | --input-file FILE]
                                 [--handler KEY=module:function ...] [--json]
                                 [--config FILE] [--machine ARN_OR_NAME=FILE ...]
                                 [--mock-config FILE] [--test-case NAME]
                                 [--state-machine-name NAME]
    stepline validate DEFINITION.json
    stepline compile PIPELINE.yaml [--json]
    stepline serve [--host 127.0.0.1] [--port 8083] [--db URL] [--clock system|virtual]
                   [--wait-time-scale N] [--handler KEY=module:function ...]
                   [--config FILE] [--mock-config FILE]
                   [--stepflow-base-path /api/stepflow] [--stepflow-auth none|api-key]

Exit codes: 0 success, 1 the execution ended other than SUCCEEDED (or validation found
errors), 2 bad usage or an invalid definition.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import asl
from api.run_summary import print_summary
from asl import jsontext
from emulator import handler_config, mocks
from emulator.driver import default_info, run_local
from emulator.handler_config import HandlerConfigError, LocalConfig
from emulator.handlers import HandlerSpecError
from emulator.mocks import MockConfig, MockConfigError, MockSession
from emulator.reloading import parse_reloading_spec

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed its message
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    try:
        code: int = args.command(args, sys.stdout)
    except UsageError as exc:
        print(f"stepline: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`stepline run … | head`): no traceback, and exit code 1 as
        # Python's documentation advises for EPIPE (https://docs.python.org/3/library/signal.html).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stepline", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a state machine to its end in-process")
    run.add_argument("definition", help="the state machine definition (ASL JSON file)")
    source = run.add_mutually_exclusive_group()
    source.add_argument("--input", help="the execution input as JSON text")
    source.add_argument("--input-file", help="a file holding the execution input")
    _handler_option(run)
    run.add_argument(
        "--machine",
        action="append",
        default=[],
        metavar="ARN_OR_NAME=FILE",
        help="a state machine that states:startExecution tasks can start as a child "
        "execution: its ARN (or name) and its definition file (repeatable)",
    )
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument(
        "--mock-config",
        metavar="FILE",
        help="Step Functions Local mock file (default: $SFN_MOCK_CONFIG, "
        "$LOCALSTACK_SFN_MOCK_CONFIG, or ./MockConfigFile.json)",
    )
    run.add_argument("--test-case", metavar="NAME", help="the mock file's test case to run")
    run.add_argument(
        "--state-machine-name",
        metavar="NAME",
        help="the state machine's name (default: the definition file's name); "
        "it chooses the mock file's StateMachines entry",
    )
    run.set_defaults(command=_run)

    validate = sub.add_parser("validate", help="check a definition and print its diagnostics")
    validate.add_argument("definition")
    validate.set_defaults(command=_validate)

    compile_ = sub.add_parser(
        "compile", help="compile a pipeline (stepIQ format, YAML or JSON) and print its ASL"
    )
    compile_.add_argument("pipeline", help="the pipeline definition (.yaml, .yml or .json)")
    compile_.add_argument(
        "--json", action="store_true", help="print one JSON object (errors too, on stderr)"
    )
    compile_.set_defaults(command=_compile)

    serve = sub.add_parser("serve", help="serve the Step Functions API (JSON 1.0) over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8083, help="port (default 8083; 0 picks one)")
    serve.add_argument("--db", help="database URL (default: a SQLite file in the data directory)")
    serve.add_argument("--clock", choices=("system", "virtual"), default="system")
    serve.add_argument(
        "--wait-time-scale",
        type=float,
        help="scale Wait and retry times (0 = no wait, 0.5 = half); default $WAIT_TIME_SCALE",
    )
    _handler_option(serve)
    serve.add_argument(
        "--activity-poll-seconds",
        type=float,
        default=60.0,
        help="how long GetActivityTask waits for a task before answering empty (AWS: 60)",
    )
    serve.add_argument(
        "--mock-config",
        metavar="FILE",
        help="Step Functions Local mock file (default: $SFN_MOCK_CONFIG, "
        "$LOCALSTACK_SFN_MOCK_CONFIG, or ./MockConfigFile.json); choose a test case "
        "with StartExecution(stateMachineArn=ARN#TestCase)",
    )
    serve.add_argument(
        "--stepflow-base-path",
        default="/api/stepflow",
        metavar="PATH",
        help="where the Stepflow REST surface is mounted (default /api/stepflow)",
    )
    serve.add_argument(
        "--stepflow-auth",
        choices=("none", "api-key"),
        default="none",
        help="none (default, as Stepflow's own default): the Stepflow endpoints are open; "
        "api-key: trigger and notify need a stepIQ API key or JWT, and a run is read by its "
        "owner or with its public access token",
    )
    serve.set_defaults(command=_serve)
    return parser


def _handler_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--handler",
        action="append",
        default=[],
        metavar="KEY=module:function",
        help="answer a Task resource, or a Lambda function (name, name:alias or function "
        "ARN, for its ARN resources and lambda:invoke), with a Python function (repeatable); "
        "it overrides the configuration file's entry for the same key",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"a TOML configuration file ([handlers], python_path, [machines]); default "
        f"${handler_config.ENVIRONMENT}",
    )


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _print_diagnostics(diags: list[asl.Diagnostic], out: TextIO) -> None:
    for d in diags:
        print(f"{d.severity} {d.code} at {d.location or '/'}: {d.message}", file=out)


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    diags = asl.validate(_read(args.definition))
    _print_diagnostics(diags, out)
    errors = [d for d in diags if d.severity == "ERROR"]
    if not diags:
        print("OK: the definition is valid", file=out)
    return EXIT_FAILED if errors else EXIT_OK


def _compile(args: argparse.Namespace, out: TextIO) -> int:
    """Print the ASL of a pipeline; its problems go to stderr, one field per line."""
    from emulator.pipelines import PipelineInvalid, compile_pipeline, parse_pipeline

    text = _read(args.pipeline)
    kind = "application/json" if args.pipeline.lower().endswith(".json") else "application/yaml"
    try:
        definition = compile_pipeline(parse_pipeline(text, kind))
    except PipelineInvalid as exc:
        if args.json:
            error = {"error": "the pipeline is invalid", "issues": exc.issues}
            print(json.dumps(error), file=sys.stderr)
        else:
            for issue in exc.issues:
                print(f"ERROR at {issue['field'] or '/'}: {issue['message']}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(definition, ensure_ascii=False, separators=(",", ":")), file=out)
    else:
        print(json.dumps(definition, ensure_ascii=False, indent=2), file=out)
    return EXIT_OK


def _config(args: argparse.Namespace) -> LocalConfig | None:
    """The configuration file given with --config, else $STEPLINE_CONFIG's (or None)."""
    path = args.config if args.config is not None else handler_config.path_from_environment()
    if path is None:
        return None
    try:
        return handler_config.load(path)
    except HandlerConfigError as exc:
        raise UsageError(str(exc)) from None


def _handlers(specs: list[str], config: LocalConfig | None) -> dict[str, Any]:
    """The configuration file's handlers, then --handler's (which win); both reload their
    module when its file changes (emulator.reloading)."""
    handlers: dict[str, Any] = dict(config.handlers) if config is not None else {}
    for spec in specs:
        try:
            resource, handler = parse_reloading_spec(spec)
        except HandlerSpecError as exc:
            raise UsageError(str(exc)) from None
        handlers[resource] = handler
    return handlers


def _mock_config(path: str | None) -> MockConfig | None:
    """The mock file given, else the one Step Functions Local would find (or None)."""
    try:
        return mocks.load(path) if path is not None else mocks.from_environment()
    except MockConfigError as exc:
        raise UsageError(str(exc)) from None


def _mock_session(args: argparse.Namespace, state_machine: str) -> MockSession | None:
    if args.test_case is None:
        if args.mock_config is not None:
            raise UsageError("--mock-config needs --test-case NAME to choose a test case")
        return None
    config = _mock_config(args.mock_config)
    if config is None:
        raise UsageError(
            "--test-case needs a mock file: --mock-config FILE, $SFN_MOCK_CONFIG, "
            "$LOCALSTACK_SFN_MOCK_CONFIG or ./MockConfigFile.json"
        )
    case = config.test_case(state_machine, args.test_case)
    if case is None:
        raise UsageError(
            f"{config.source} has no test case {args.test_case!r} for the state machine "
            f"{state_machine!r} (give its name with --state-machine-name)"
        )
    return MockSession(case)


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    import asyncio
    import os

    from api.server import run

    scale = args.wait_time_scale
    if scale is None and os.environ.get("WAIT_TIME_SCALE"):
        try:
            scale = float(os.environ["WAIT_TIME_SCALE"])
        except ValueError:
            raise UsageError("WAIT_TIME_SCALE must be a number") from None
    if scale is not None and scale < 0:
        raise UsageError("--wait-time-scale must not be negative")
    asyncio.run(
        run(
            args.host,
            args.port,
            db_url=args.db,
            clock=args.clock,
            wait_time_scale=scale,
            handlers=_serve_handlers(args),
            activity_poll_seconds=args.activity_poll_seconds,
            mock_config=_mock_config(args.mock_config),
            ready=lambda line: print(line, file=out, flush=True),
            stepflow_base_path=args.stepflow_base_path,
            stepflow_auth=args.stepflow_auth,
        )
    )
    return EXIT_OK


def _serve_handlers(args: argparse.Namespace) -> dict[str, Any]:
    config = _config(args)
    if config is not None and config.machines:
        raise UsageError(
            f"{config.source}: [machines] is for stepline run; under stepline serve, create "
            "the state machines with CreateStateMachine"
        )
    return _handlers(args.handler, config)


def _machines(args: argparse.Namespace, config: LocalConfig | None) -> dict[str, asl.StateMachine]:
    """The child state machines of --machine and the file's [machines] (--machine wins),
    loaded and validated now."""
    files: dict[str, Path] = dict(config.machines) if config is not None else {}
    for spec in args.machine:
        key, sep, file = spec.rpartition("=")
        if not sep or not key or not file:
            raise UsageError(f"--machine expects ARN_OR_NAME=FILE, got {spec!r}")
        files[key] = Path(file)
    machines = {}
    for key, file in files.items():
        try:
            machines[key] = asl.load(_read(str(file)))
        except asl.InvalidDefinition as exc:
            first = exc.diagnostics[0] if exc.diagnostics else None
            detail = f": {first.code} at {first.location or '/'}: {first.message}" if first else ""
            raise UsageError(
                f"the definition of the machine {key!r} ({file}) is invalid{detail}"
            ) from None
    return machines


def _run(args: argparse.Namespace, out: TextIO) -> int:
    text = _read(args.definition)
    try:
        machine = asl.load(text)
    except asl.InvalidDefinition as exc:
        print("stepline: the definition is invalid", file=sys.stderr)
        _print_diagnostics(exc.diagnostics, sys.stderr)
        return EXIT_USAGE
    raw_input = args.input if args.input is not None else None
    if args.input_file is not None:
        raw_input = _read(args.input_file)
    try:
        execution_input = jsontext.loads(raw_input) if raw_input is not None else {}
    except ValueError as exc:
        raise UsageError(f"the input is not valid JSON: {exc}") from None
    config = _config(args)
    handlers = _handlers(args.handler, config)
    machines = _machines(args, config)
    name = args.state_machine_name or Path(args.definition).stem.replace(".", "-")[:80] or "Local"
    mock = _mock_session(args, name)
    result = run_local(
        machine,
        execution_input,
        handlers,
        default_info(state_machine_name=name),
        mock=mock,
        input_text=raw_input,
        machines=machines,
    )
    if args.json:
        json.dump(
            {
                "status": result.status,
                "output": result.output,
                "error": result.error,
                "cause": result.cause,
                "history": result.history(),
            },
            out,
            ensure_ascii=False,
        )
        out.write("\n")
    else:
        print_summary(result, out)
    return EXIT_OK if result.status == "SUCCEEDED" else EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
