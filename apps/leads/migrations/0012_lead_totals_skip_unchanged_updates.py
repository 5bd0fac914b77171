from django.db import migrations


def reinstall_triggers(apps, schema_editor):
    """PostgreSQL only: the lead totals' trigger function, now returning at once from an
    update that changed none of the columns the totals read (apps/leads/totals.py). The
    triggers are replaced and the totals recomputed in one transaction, as 0011 did."""
    if schema_editor.connection.vendor == "postgresql":
        from apps.leads.totals import install_lead_totals

        install_lead_totals(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0011_lead_totals"),
    ]

    # Backwards, the function stays as it is: it keeps the same totals as 0011's did.
    operations = [migrations.RunPython(reinstall_triggers, migrations.RunPython.noop)]
