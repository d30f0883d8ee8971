from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from emulator.accounts import jwt
from emulator.accounts.errors import InvalidToken

KEY = b"k" * 32
NOW = 1_800_000_000


def claims(**extra: object) -> dict[str, object]:
    return {"sub": "user-1", "plan": "free", "iat": NOW, "exp": NOW + 60, **extra}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, object], payload: dict[str, object], key: bytes = KEY) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def test_round_trip_and_rfc7515_shape() -> None:
    token = jwt.encode(claims(), KEY)
    header, payload, signature = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert "=" not in token
    # The signature is HMAC-SHA256 over "header.payload" (RFC 7515 section 5.1).
    expected = hmac.new(KEY, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert signature == b64(expected)
    assert jwt.decode(token, KEY, NOW) == claims()


def test_tampered_payload_is_rejected() -> None:
    header, _, signature = jwt.encode(claims(), KEY).split(".")
    other = b64(json.dumps(claims(sub="admin")).encode())
    with pytest.raises(InvalidToken):
        jwt.decode(f"{header}.{other}.{signature}", KEY, NOW)


def test_wrong_key_is_rejected() -> None:
    with pytest.raises(InvalidToken):
        jwt.decode(jwt.encode(claims(), b"x" * 32), KEY, NOW)


@pytest.mark.parametrize("alg", ["none", "None", "HS384", "RS256", "hs256"])
def test_only_hs256_is_accepted(alg: str) -> None:
    token = forge({"alg": alg, "typ": "JWT"}, claims())
    with pytest.raises(InvalidToken):
        jwt.decode(token, KEY, NOW)


def test_unsigned_none_token_is_rejected() -> None:
    header = b64(json.dumps({"alg": "none"}).encode())
    payload = b64(json.dumps(claims()).encode())
    with pytest.raises(InvalidToken):
        jwt.decode(f"{header}.{payload}.", KEY, NOW)


def test_expiry() -> None:
    token = jwt.encode(claims(), KEY)
    assert jwt.decode(token, KEY, NOW + 59)["sub"] == "user-1"
    with pytest.raises(InvalidToken, match="expired"):
        jwt.decode(token, KEY, NOW + 60)


@pytest.mark.parametrize(
    "token", ["", "a.b", "a.b.c.d", "!!!.e30.x", "e30.e30.e30", "e30.\u00e9.x", "e30.e30.\u00e9"],
)
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(InvalidToken):
        jwt.decode(token, KEY, NOW)


def test_claims_must_carry_integer_times_and_subject() -> None:
    for bad in ({"exp": "later"}, {"iat": 1.5}, {"sub": 7}):
        with pytest.raises(InvalidToken):
            jwt.decode(forge({"alg": "HS256", "typ": "JWT"}, claims(**bad)), KEY, NOW)
