"""An encrypted text field over cryptography's MultiFernet.

Keys come from settings.FIELD_ENCRYPTION_KEYS (comma-separated in the environment, newest
first). New values are encrypted under the newest key; any listed key decrypts, so keys can
be rotated without downtime: add a new key in front, deploy, run
`manage.py rotate_encryption_keys`, then drop the old key.

A value that no configured key can decrypt raises EncryptionKeyError instead of quietly
returning garbage or None: a missing key is an operator error that must be loud.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class EncryptionKeyError(ImproperlyConfigured):
    """A stored value cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a key that is not a valid Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from exc


def current_multifernet() -> MultiFernet:
    return _multifernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt_text(plaintext: str) -> str:
    return current_multifernet().encrypt(plaintext.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return current_multifernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise EncryptionKeyError(
            "An encrypted value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS."
        ) from None


class EncryptedTextField(models.TextField):
    """Text stored encrypted. NULL stays NULL and the empty string stays empty (an empty
    secret is not a secret, and keeping it visible lets queries ask "is one set?").

    Encrypted columns cannot be filtered or indexed on their content."""

    description = "Text encrypted at rest with MultiFernet"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted columns, and those columns' names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found
