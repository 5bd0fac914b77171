"""Drop leads_postleadtotals: no release has written it since 0014 (the posts carry their lead
totals), and the release before this one, which still read it while its successor migrated,
is gone. Code of that release or later never reads the table, so dropping it mid-deploy breaks
nothing (deploy/README.md, "Migrations on deploy")."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0014_lead_totals_on_posts"),
    ]

    operations = [
        migrations.DeleteModel(name="PostLeadTotals"),
    ]
