import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, models
from django.test import override_settings
from django.test.utils import isolate_apps

from apps.core import encryption
from apps.core.encryption import EncryptedTextField, EncryptionKeyError

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def secret_model(transactional_db, table_owner):
    """A throwaway table with an encrypted column, created for the test and dropped after."""
    with isolate_apps("apps.core"):

        class Secret(models.Model):
            value = EncryptedTextField(null=True, blank=True)

            class Meta:
                app_label = "core"
                db_table = "test_encrypted_secret"

            def __str__(self):
                return f"secret {self.pk}"

        with connection.schema_editor() as editor:
            editor.create_model(Secret)
        yield Secret
        with connection.schema_editor() as editor:
            editor.delete_model(Secret)


def raw_column(model, pk) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY])
def test_a_value_round_trips_and_the_column_never_holds_the_plaintext(secret_model):
    row = secret_model.objects.create(value="AQV-access-token-ÄÖÜ-🔑")
    assert secret_model.objects.get(pk=row.pk).value == "AQV-access-token-ÄÖÜ-🔑"
    stored = raw_column(secret_model, row.pk)
    assert "AQV-access-token" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token


@override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY])
def test_null_and_the_empty_string_round_trip(secret_model):
    empty = secret_model.objects.create(value="")
    null = secret_model.objects.create(value=None)
    assert secret_model.objects.get(pk=empty.pk).value == ""
    assert secret_model.objects.get(pk=null.pk).value is None


def test_a_wrong_key_raises_instead_of_returning_garbage(secret_model):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        row = secret_model.objects.create(value="secret")
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]),
        pytest.raises(EncryptionKeyError, match="could not be decrypted"),
    ):
        secret_model.objects.get(pk=row.pk)


def test_an_invalid_key_is_a_configuration_error():
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=["not-a-fernet-key"]),
        pytest.raises(Exception, match="not a valid Fernet key"),
    ):
        encryption.encrypt_text("x")


def test_rotation_reencrypts_every_row_under_the_newest_key(secret_model, monkeypatch):
    monkeypatch.setattr(
        "apps.core.management.commands.rotate_encryption_keys.encrypted_fields",
        lambda: [(secret_model, ["value"])],
    )
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        rows = [secret_model.objects.create(value=f"token-{n}") for n in range(3)]
        secret_model.objects.create(value=None)

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    # The old key can go: everything now decrypts with the new key alone.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert [secret_model.objects.get(pk=r.pk).value for r in rows] == [
            "token-0",
            "token-1",
            "token-2",
        ]
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(EncryptionKeyError):
        secret_model.objects.get(pk=rows[0].pk)
