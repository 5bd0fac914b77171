from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_existing_rows_into_the_pipeline")]

    operations = [
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(("dedupe_key", ""), _negated=True),
                fields=("workspace", "user", "event", "dedupe_key"),
                name="one_notification_per_dedupe_key",
            ),
        ),
    ]
