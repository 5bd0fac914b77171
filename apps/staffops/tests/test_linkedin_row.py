"""The staff overview's LinkedIn row: the pinned version's dates and one cached check call."""

import pytest
from django.urls import reverse

from apps.linkedin.sandbox import running_sandbox

pytestmark = pytest.mark.django_db


def test_the_staff_overview_shows_the_linkedin_row_from_a_cached_check(root_client, settings):
    with running_sandbox() as running:
        settings.LINKEDIN_API_BASE = running.api_base
        first = root_client.get(reverse("staff_overview")).content.decode()
        running.sandbox.faults.fail_next(5, status=500)
        second = root_client.get(reverse("staff_overview")).content.decode()

    assert 'data-linkedin-check="ok"' in first
    assert "LinkedIn-Version 202603 is live" in first
    assert "<code>w_member_social</code>" in first
    assert 'data-linkedin-check="ok"' in second  # cached: LinkedIn was not asked again
