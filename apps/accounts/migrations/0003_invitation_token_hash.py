"""Invitation tokens are stored hashed: the column keeps its rows, renamed, and every
existing token is replaced by its SHA-256, so links already sent keep working (the link's
token is hashed on arrival and compared with this)."""

import hashlib

from django.db import migrations, models


def hash_existing_tokens(apps, schema_editor):
    Invitation = apps.get_model("accounts", "Invitation")
    rows = Invitation.objects.using(schema_editor.connection.alias).only("pk", "token_hash")
    for invitation in rows.iterator():
        # A plain token (43 characters of URL-safe base64) is never 64 hex digits.
        if len(invitation.token_hash) != 64:
            invitation.token_hash = hashlib.sha256(invitation.token_hash.encode()).hexdigest()
            invitation.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_proof_vault")]

    operations = [
        migrations.RenameField("invitation", "token", "token_hash"),
        migrations.AlterField(
            model_name="invitation",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        # Not reversible into the secrets: going back leaves the hashes (old links stop).
        migrations.RunPython(hash_existing_tokens, migrations.RunPython.noop),
    ]
