"""Where AWS service calls go: per-service endpoints, the in-process moto server, boto3 clients.

A service is called at, in order:

1. its Step Functions Local variable (``SQS_ENDPOINT``, ``SNS_ENDPOINT``, ``DYNAMODB_ENDPOINT``,
   ``LAMBDA_ENDPOINT``, and for aws-sdk calls ``BATCH_ENDPOINT``, ``ECS_ENDPOINT``,
   ``GLUE_ENDPOINT``, ``SAGE_MAKER_ENDPOINT``, ``STEP_FUNCTIONS_ENDPOINT``; without one, Step
   Functions is this Stepline itself: ``sfn_local``) or one Stepline adds (``EVENTBRIDGE_ENDPOINT``,
   ``S3_ENDPOINT``);
2. ``STEPLINE_<SERVICE>_ENDPOINT``, SERVICE being boto3's service name in capitals with ``-``
   written ``_`` (``STEPLINE_SECRETSMANAGER_ENDPOINT``, ``STEPLINE_STEPFUNCTIONS_ENDPOINT``);
3. ``STEPLINE_AWS_ENDPOINT``, for every service;
4. otherwise a moto server that Stepline starts on 127.0.0.1 on first use (port
   ``STEPLINE_MOTO_PORT``, else a free one; its URL is logged and :func:`moto_url` tells it), so
   that a definition that writes to DynamoDB and sends to SQS runs with nothing else installed.
   Lambda function Tasks have no such default: without LAMBDA_ENDPOINT they need a local handler.

The value ``aws`` stands for AWS's own endpoint.  moto is called with dummy credentials; any
other endpoint with boto3's usual credential chain (dummy credentials when that chain has none,
as local emulators accept any).  The region is the calling execution's.

https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-config-options.html
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]

LOG = logging.getLogger("stepline.integrations")

# Step Functions Local's variables, and Stepline's for the services it adds (keyed by boto3's
# service name).
_LOCAL_VARIABLES = {
    "sqs": "SQS_ENDPOINT",
    "sns": "SNS_ENDPOINT",
    "dynamodb": "DYNAMODB_ENDPOINT",
    "lambda": "LAMBDA_ENDPOINT",
    "batch": "BATCH_ENDPOINT",
    "ecs": "ECS_ENDPOINT",
    "glue": "GLUE_ENDPOINT",
    "sagemaker": "SAGE_MAKER_ENDPOINT",
    "events": "EVENTBRIDGE_ENDPOINT",
    "s3": "S3_ENDPOINT",
    "stepfunctions": "STEP_FUNCTIONS_ENDPOINT",
}
AWS = "aws"  # the value naming AWS's own endpoint
MOTO_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@dataclass(frozen=True, slots=True)
class Target:
    """Where one service is called: ``url`` None is AWS itself; ``moto`` the in-process server."""

    service: str
    url: str | None
    moto: bool = False


def configured(service: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint the environment names for ``service`` (``aws`` included), if any."""
    environ = os.environ if environ is None else environ
    names = [
        _LOCAL_VARIABLES.get(service, ""),
        f"STEPLINE_{service.upper().replace('-', '_')}_ENDPOINT",
        "STEPLINE_AWS_ENDPOINT",
    ]
    for name in names:
        value = environ.get(name, "").strip() if name else ""
        if value:
            return value
    return None


def target(service: str, environ: Mapping[str, str] | None = None) -> Target:
    """Where ``service`` is called (starting the moto server when it is the answer)."""
    value = configured(service, environ)
    if value is None:
        return Target(service, moto_url(), moto=True)
    return Target(service, None if value.lower() == AWS else value.rstrip("/"))


class _MotoServer:
    """One moto server for the process, started on first use and never patched into botocore:
    it is an ordinary HTTP endpoint that users can reach too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._server: Any = None

    def url(self) -> str:
        with self._lock:
            if self._url is None:
                self._start()
            assert self._url is not None
            return self._url

    def _start(self) -> None:
        from moto.server import ThreadedMotoServer  # imported on first use: it is heavy

        port_text = os.environ.get("STEPLINE_MOTO_PORT", "").strip()
        try:
            port = int(port_text) if port_text else 0
        except ValueError:
            raise ValueError(f"STEPLINE_MOTO_PORT must be a port number, got {port_text!r}") from None
        # werkzeug logs every request on stderr; keep the server quiet but for errors.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        server.start()
        host, bound = server.get_host_and_port()
        self._server = server
        self._url = f"http://{host}:{bound}"
        LOG.warning(
            "AWS service integrations call the moto server at %s (set STEPLINE_MOTO_PORT to fix "
            "its port; point boto3's endpoint_url there to inspect queues, tables and buckets)",
            self._url,
        )

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.stop()
            self._server = None
            self._url = None
            _CLIENTS.clear()


_MOTO = _MotoServer()
_CLIENTS: dict[tuple[str, str, str | None, bool], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def moto_url() -> str:
    """The URL of the in-process moto server, started if it is not running."""
    return _MOTO.url()


def stop_moto() -> None:
    """Stop the in-process moto server (its data is lost); the next call starts a new one."""
    _MOTO.stop()


def client(service: str, region: str, where: Target | None = None) -> Any:
    """A boto3 client for ``service`` in ``region`` at ``where`` (default: :func:`target`)."""
    where = where or target(service)
    key = (service, region, where.url, where.moto)
    with _CLIENTS_LOCK:
        cached = _CLIENTS.get(key)
        if cached is not None:
            return cached
        config = Config(
            retries={"max_attempts": 1},
            # The service validates a request, in its own words, as it does for Step Functions.
            parameter_validation=False,
            s3={"addressing_style": "path"},
            connect_timeout=10,
            read_timeout=70,
        )
        credentials: dict[str, str] = {}
        if where.moto or (where.url is not None and boto3.session.Session().get_credentials() is None):
            credentials = dict(MOTO_CREDENTIALS)
        made = boto3.session.Session().client(
            service, region_name=region, endpoint_url=where.url, config=config, **credentials
        )
        made.meta.events.register("after-call", _keep_headers)
        _CLIENTS[key] = made
        return made


_HEADERS = "StepLineRawHeaders"


def _keep_headers(http_response: Any, parsed: Any, **_: Any) -> None:
    """Keep the response's headers as the service spelt them (botocore's ResponseMetadata
    lowercases their names)."""
    metadata = parsed.get("ResponseMetadata") if isinstance(parsed, dict) else None
    if isinstance(metadata, dict) and http_response is not None:
        metadata[_HEADERS] = [(str(k), str(v)) for k, v in http_response.headers.items()]


def raw_headers(response: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headers of a response as sent, in order (lowercased when not recorded)."""
    metadata = response.get("ResponseMetadata", {})
    kept = metadata.get(_HEADERS)
    if kept is not None:
        return list(kept)
    return [(k, str(v)) for k, v in metadata.get("HTTPHeaders", {}).items()]
