from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.accounts.services import audit_log_prune

pytestmark = pytest.mark.django_db


def test_audit_events_past_the_retention_are_pruned_and_recent_ones_kept(alice_workspace, settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 30
    old = AuditEvent.objects.create(
        workspace=alice_workspace,
        action="post.published",
        created_at=timezone.now() - timedelta(days=31),
    )
    recent = AuditEvent.objects.create(
        workspace=alice_workspace,
        action="post.published",
        created_at=timezone.now() - timedelta(days=29),
    )
    assert audit_log_prune() == 1
    assert list(AuditEvent.objects.filter(pk__in=[old.pk, recent.pk])) == [recent]


def test_the_beat_entry_named_audit_log_retention_prunes_the_audit_log(settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["audit-log-retention"]["task"] == "accounts.prune_audit_log"
    )
