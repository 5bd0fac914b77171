import pytest
from django.core.mail import send_mail
from django.core.management import call_command
from django.test import override_settings

from apps.accounts.models import ExpertiseProfile, Membership, User, Workspace
from apps.core.models import OutboundEmail

pytestmark = pytest.mark.django_db


@override_settings(EMAIL_BACKEND="apps.core.mail.DatabaseEmailBackend")
def test_kept_mail_is_readable_by_staff_only(client, alice):
    send_mail("Confirm your address", "Open http://x/confirm/abc/", None, ["n@example.com"])
    email = OutboundEmail.objects.get()
    assert email.to == "n@example.com"

    client.force_login(alice)
    assert client.get("/dev/mail/").status_code == 302  # to the admin login

    staff = User.objects.create_user("staff@example.com", "pw", is_staff=True)
    client.force_login(staff)
    listing = client.get("/dev/mail/")
    assert "Confirm your address" in listing.text
    detail = client.get(f"/dev/mail/{email.pk}/")
    assert '<a href="http://x/confirm/abc/"' in detail.text


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = [
        User.objects.count(),
        Workspace.objects.count(),
        Membership.objects.count(),
        ExpertiseProfile.objects.count(),
    ]
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == [
        User.objects.count(),
        Workspace.objects.count(),
        Membership.objects.count(),
        ExpertiseProfile.objects.count(),
    ]
    assert counts == [2, 1, 1, 1]


def test_the_demo_login_works(client):
    from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/app/").url == "/w/demo/"


def test_the_demo_history_is_made_through_the_real_paths_and_only_once(tmp_path, settings):
    from apps.analytics.models import MetricSnapshot
    from apps.content.models import Post
    from apps.leads.models import Lead

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sandbox_db = str(tmp_path / "sandbox.sqlite3")
    call_command("seed_demo_history", "--db", sandbox_db, stdout=open("/dev/null", "w"))  # noqa: SIM115
    published = Post.objects.filter(status=Post.Status.PUBLISHED)
    assert published.count() == 16
    assert all(post.linkedin_urn and post.impressions for post in published)
    assert MetricSnapshot.objects.count() > 16
    assert Lead.objects.exists()
    # Each lead dates from its first comment, not from the moment the history was made.
    lead_weeks = {lead.created_at.isocalendar()[:2] for lead in Lead.objects.all()}
    assert len(lead_weeks) > 1
    # The consultant worked some older leads: the dashboard has a pipeline and a win.
    assert Lead.objects.filter(status=Lead.Status.CONVERTED, value_eur__gt=0).exists()
    assert Lead.objects.filter(status=Lead.Status.QUALIFIED, value_eur__gt=0).exists()
    # Old leads were escalated back then; the first beat run sends no burst of reminders.
    from apps.leads.digests import escalate_waiting_leads

    assert escalate_waiting_leads() == 0
    counts = (Post.objects.count(), MetricSnapshot.objects.count(), Lead.objects.count())
    call_command("seed_demo_history", "--db", sandbox_db, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (Post.objects.count(), MetricSnapshot.objects.count(), Lead.objects.count())


def test_the_demo_posted_at_its_local_slots_and_tried_two_other_times():
    import zoneinfo
    from datetime import UTC, datetime, timedelta

    from apps.core.management.commands.seed_demo_history import WEEKS, publication_times

    started = datetime.now(UTC) - timedelta(weeks=WEEKS)
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    local = {
        (moment.astimezone(berlin).weekday(), moment.astimezone(berlin).strftime("%H:%M"))
        for moment in publication_times(started, "Europe/Berlin")
    }
    assert local == {(1, "08:30"), (3, "12:30"), (2, "09:00"), (4, "16:00")}
    assert all(started < m < datetime.now(UTC) for m in publication_times(started, "UTC"))
