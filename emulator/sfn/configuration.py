"""Logging, tracing and encryption configuration: defaults filled in, checked as AWS
checks them, stored and returned as given.

https://docs.aws.amazon.com/step-functions/latest/apireference/API_LoggingConfiguration.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_TracingConfiguration.html
https://docs.aws.amazon.com/step-functions/latest/apireference/API_EncryptionConfiguration.html
"""

from __future__ import annotations

import json
from typing import Any

from emulator.sfn.errors import SfnError


def logging(value: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults as DescribeStateMachine shows them: level OFF, includeExecutionData false."""
    value = value or {}
    out: dict[str, Any] = {
        "level": value.get("level", "OFF"),
        "includeExecutionData": bool(value.get("includeExecutionData", False)),
    }
    destinations = value.get("destinations") or []
    if destinations:
        out["destinations"] = destinations
    if out["level"] != "OFF" and len(destinations) != 1:
        # UNVERIFIED wording; the rule ("you must specify exactly one destination unless
        # the level is OFF") is documented on the LoggingConfiguration page.
        raise SfnError(
            "InvalidLoggingConfiguration",
            "Invalid Logging Configuration: Must specify exactly one Log Destination if logging level is not OFF.",
        )
    for destination in destinations:
        group = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn", "")
        if not (group.startswith("arn:") and ":logs:" in group and ":log-group:" in group):
            raise SfnError(
                "InvalidLoggingConfiguration",
                f"Invalid Logging Configuration: The CloudWatch Logs Resource ARN '{group}' is invalid.",
            )
    return out


def tracing(value: dict[str, Any] | None) -> dict[str, Any]:
    return {"enabled": bool((value or {}).get("enabled", False))}


def encryption(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """None when not given: DescribeStateMachine then shows no encryptionConfiguration."""
    if value is None:
        return None
    kind = value.get("type")
    key = value.get("kmsKeyId")
    if kind == "CUSTOMER_MANAGED_KMS_KEY" and not key:
        raise SfnError(
            "InvalidEncryptionConfiguration",
            "Invalid Encryption Configuration: kmsKeyId is required for CUSTOMER_MANAGED_KMS_KEY.",
        )
    if kind == "AWS_OWNED_KEY" and (key or "kmsDataKeyReusePeriodSeconds" in value):
        raise SfnError(
            "InvalidEncryptionConfiguration",
            "Invalid Encryption Configuration: kmsKeyId and kmsDataKeyReusePeriodSeconds "
            "can only be set for CUSTOMER_MANAGED_KMS_KEY.",
        )
    out = dict(value)
    if kind == "CUSTOMER_MANAGED_KMS_KEY":
        out.setdefault("kmsDataKeyReusePeriodSeconds", 300)
    return out


def stored(row: Any) -> dict[str, Any]:
    """The logging, tracing and encryption configurations of a state machine or version row,
    as keyword arguments of its record."""
    encryption = row.encryption_configuration
    return {
        "logging": json.loads(row.logging_configuration),
        "tracing": json.loads(row.tracing_configuration),
        "encryption": json.loads(encryption) if encryption else None,
    }
