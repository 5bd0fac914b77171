"""Failed deliveries used to keep the first bytes of the receiver's answer ("HTTP 500: <body>")
where admins read them. Deliveries now record the status only; this trims what was stored."""

from django.db import migrations


def forget_answer_bodies(apps, schema_editor):
    for model_name, field in (
        ("WebhookDelivery", "last_error"),
        ("WebhookEndpoint", "disabled_reason"),
    ):
        model = apps.get_model("webhooks", model_name)
        rows = model._base_manager.filter(**{f"{field}__regex": r"^HTTP [0-9]{3}: "})
        for pk, text in rows.values_list("pk", field).iterator():
            model._base_manager.filter(pk=pk).update(**{field: text.split(":", 1)[0]})


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [migrations.RunPython(forget_answer_bodies, migrations.RunPython.noop)]
