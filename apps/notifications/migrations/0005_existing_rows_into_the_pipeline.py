"""Data: existing preferences, deliveries and notifications into the pipeline's shape. Its own
migration, after the schema change: PostgreSQL refuses to alter a table with row changes
pending in the same transaction."""

from django.db import migrations


def forward_data(apps, schema_editor):
    """Existing rows into the one pipeline's shape.

    - A Preference row was "email or not" per event: it becomes the email channel's row (the
      field's default did that). Lead alerts were emailed whatever that box said (their own
      rules decided), so members keep getting them: their email rows are switched on.
    - Older delivery rows learn their member and event from their notification.
    - Notifications repeated under one dedupe key (possible before the constraint) are
      reduced to the first, so the new constraint can hold."""
    Preference = apps.get_model("notifications", "Preference")
    Delivery = apps.get_model("notifications", "Delivery")
    Notification = apps.get_model("notifications", "Notification")
    Preference.objects.filter(event="lead.detected", channel="email").update(enabled=True)
    older = Delivery.objects.filter(user__isnull=True, notification__isnull=False)
    for delivery in older.select_related("notification").iterator():
        Delivery.objects.filter(pk=delivery.pk).update(
            user_id=delivery.notification.user_id, event=delivery.notification.event
        )
    seen = set()
    repeated = []
    rows = (
        Notification.objects.exclude(dedupe_key="")
        .order_by("created_at", "id")
        .values_list("pk", "workspace_id", "user_id", "event", "dedupe_key")
    )
    for pk, *key in rows.iterator():
        if tuple(key) in seen:
            repeated.append(pk)
        seen.add(tuple(key))
    Notification.objects.filter(pk__in=repeated).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_channels_push_sms")]

    operations = [migrations.RunPython(forward_data, migrations.RunPython.noop)]
