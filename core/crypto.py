"""Symmetric encryption for sensitive fields (Fernet: AES-128-CBC with HMAC-SHA256).

Keys come from FIELD_ENCRYPTION_KEYS; the first key encrypts and every key decrypts, so keys
rotate without downtime. Production refuses to start without them (config/settings.py); only
development and tests, which have none, use a key derived from SECRET_KEY.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive_key(secret: str) -> str:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tandem field encryption"
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(key).decode()


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def current_keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS) or (_derive_key(settings.SECRET_KEY),)


def encrypt(plaintext: str) -> str:
    return _multi_fernet(current_keys()).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _multi_fernet(current_keys()).decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (newest) key."""
    return _multi_fernet(current_keys()).rotate(token.encode()).decode()
