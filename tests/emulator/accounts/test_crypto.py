from __future__ import annotations

import base64

import pytest

from emulator.accounts import envelope, keyring
from emulator.accounts.errors import InvalidRequest
from emulator.accounts.passwords import check_password, hash_password, verify_password
from emulator.store.db import Database

MASTER = bytes(range(32))


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$16384$8$1$")
    assert first != second  # a fresh salt each time
    assert verify_password("correct horse", first)
    assert not verify_password("correct horsf", first)
    assert not verify_password("correct horse", "bcrypt$whatever")


@pytest.mark.parametrize("password", ["short", "x" * 129, 12345678])
def test_password_length_rules(password: object) -> None:
    with pytest.raises(InvalidRequest):
        check_password(password)
    assert check_password("x" * 8) == "x" * 8
    assert check_password("x" * 128) == "x" * 128


def test_per_user_keys_differ_and_are_stable() -> None:
    a, b = keyring.user_key(MASTER, "user-a"), keyring.user_key(MASTER, "user-b")
    assert a != b and len(a) == 32
    assert keyring.user_key(MASTER, "user-a") == a
    assert keyring.jwt_key(MASTER) not in (a, b, MASTER)


def test_hkdf_matches_rfc5869_construction() -> None:
    import hashlib
    import hmac

    # HKDF-SHA256 with an empty salt: PRK = HMAC(zeros, IKM); OKM = HMAC(PRK, info || 0x01).
    prk = hmac.new(b"\x00" * 32, MASTER, hashlib.sha256).digest()
    okm = hmac.new(prk, b"stepline:user-key:u1" + b"\x01", hashlib.sha256).digest()
    assert keyring.user_key(MASTER, "u1") == okm


def test_envelope_layout_and_round_trip() -> None:
    key = keyring.user_key(MASTER, "u1")
    blob = envelope.seal(key, "s3cret value", b"aad")
    raw = base64.b64decode(blob)
    assert raw[0] == 1
    assert len(raw) == 1 + 12 + 32 + 16 + 12 + len("s3cret value") + 16
    assert b"s3cret" not in raw
    assert envelope.open_(key, blob, b"aad") == "s3cret value"
    assert envelope.seal(key, "s3cret value", b"aad") != blob  # fresh DEK and nonces


def test_envelope_refuses_other_key_other_aad_and_tampering() -> None:
    key = keyring.user_key(MASTER, "u1")
    blob = envelope.seal(key, "value", b"aad")
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_(keyring.user_key(MASTER, "u2"), blob, b"aad")
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_(key, blob, b"other")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_(key, base64.b64encode(bytes(raw)).decode(), b"aad")


def test_secret_key_from_env_or_generated_once(tmp_path: object) -> None:
    db = Database("sqlite://")
    generated = keyring.load_secret_key(db, env={})
    assert len(generated) == 32
    assert keyring.load_secret_key(db, env={}) == generated  # kept in the database
    assert keyring.load_secret_key(db, env={"STEPLINE_SECRET_KEY": "ab" * 32}) == b"\xab" * 32
    with pytest.raises(keyring.SecretKeyError):
        keyring.load_secret_key(db, env={"STEPLINE_SECRET_KEY": "not-hex"})
