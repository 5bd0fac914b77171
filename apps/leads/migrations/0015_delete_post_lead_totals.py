"""Forget PostLeadTotals: no release has written it since 0014 (the posts carry their lead
totals). The table itself stays one more release, empty.

The code before this release never reads the table, but deleting a post or a workspace there
cascades into it (Django's collector deletes the rows that point at them), and a deploy
migrates while that code still serves (deploy/README.md, "Migrations on deploy"): dropped now,
those deletes would fail until the new code is up. So the model leaves Django's state, the
table keeps no rows (then its foreign keys cannot hold up a post's or a workspace's deletion
by this release's code, which no longer cascades into it) and the next release drops it."""

from django.db import migrations


def empty_post_lead_totals(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # Every workspace's rows (row-level security binds the owning role too); for this
            # migration's transaction only.
            cursor.execute("SET LOCAL app.cross_tenant = 'on'")
        cursor.execute("DELETE FROM leads_postleadtotals")


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0014_lead_totals_on_posts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PostLeadTotals")],
            # Back to 0014 the model returns over the same table, empty: nothing reads it.
            database_operations=[
                migrations.RunPython(empty_post_lead_totals, migrations.RunPython.noop)
            ],
        ),
    ]
