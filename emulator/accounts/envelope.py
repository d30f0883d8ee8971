"""Envelope encryption of secret values with AES-256-GCM, laid out as stepIQ's v1 blob.

Each value gets a fresh random data key (DEK).  The DEK is encrypted under the user's key
(``keyring.user_key``), the value under the DEK:

    [version 1][dek nonce 12][encrypted dek 32][dek tag 16][nonce 12][ciphertext][tag 16]

Both encryptions authenticate ``aad`` (the owner, scope and name of the secret), so a blob
copied onto another row or user does not decrypt.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
_NONCE = 12


class EnvelopeError(ValueError):
    """A blob that is malformed, of an unknown version, or fails authentication."""


def seal(user_key: bytes, plaintext: str, aad: bytes) -> str:
    dek = AESGCM.generate_key(bit_length=256)
    dek_nonce, nonce = os.urandom(_NONCE), os.urandom(_NONCE)
    wrapped = AESGCM(user_key).encrypt(dek_nonce, dek, aad)  # 32 bytes + 16-byte tag
    body = AESGCM(dek).encrypt(nonce, plaintext.encode("utf-8"), aad)
    return base64.b64encode(bytes([VERSION]) + dek_nonce + wrapped + nonce + body).decode()


def open_(user_key: bytes, blob: str, aad: bytes) -> str:
    try:
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise EnvelopeError("secret blob is not base64") from exc
    if len(raw) < 1 + _NONCE + 48 + _NONCE + 16 or raw[0] != VERSION:
        raise EnvelopeError("secret blob is malformed or of an unknown version")
    dek_nonce = raw[1 : 1 + _NONCE]
    wrapped = raw[1 + _NONCE : 1 + _NONCE + 48]
    nonce = raw[1 + _NONCE + 48 : 1 + 2 * _NONCE + 48]
    body = raw[1 + 2 * _NONCE + 48 :]
    try:
        dek = AESGCM(user_key).decrypt(dek_nonce, wrapped, aad)
        return AESGCM(dek).decrypt(nonce, body, aad).decode("utf-8")
    except InvalidTag as exc:
        raise EnvelopeError("secret blob does not authenticate under this key") from exc
