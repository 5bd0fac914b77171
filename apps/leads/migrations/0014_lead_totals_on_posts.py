from django.db import migrations


def move_totals_to_posts(apps, schema_editor):
    """PostgreSQL only: the triggers now add each lead's delta to its post's own columns
    (content 0012) instead of leads_postleadtotals, and the posts' totals are computed from
    the leads (the numbers that table held, as its triggers kept them), in one transaction
    with the triggers' replacement (apps/leads/totals.py)."""
    if schema_editor.connection.vendor == "postgresql":
        from apps.leads.totals import install_lead_totals

        # Every workspace's posts and leads (row-level security binds the owning role too);
        # for this migration's transaction only.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET LOCAL app.cross_tenant = 'on'")
        install_lead_totals(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0012_post_attributed_lead_totals"),
        ("leads", "0013_lead_hourly_totals"),
    ]

    # Not reversible: the triggers of 0012 are not brought back. leads_postleadtotals stays,
    # no longer written, for the code before this release (its dashboard reads it while the
    # deploy migrates); the next release deletes it.
    operations = [
        migrations.RunPython(move_totals_to_posts),
    ]
