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
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = [
        User.objects.count(),
        Workspace.objects.count(),
        Membership.objects.count(),
        ExpertiseProfile.objects.count(),
    ]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == [
        User.objects.count(),
        Workspace.objects.count(),
        Membership.objects.count(),
        ExpertiseProfile.objects.count(),
    ]
    assert counts == [2, 1, 1, 1]


def test_the_demo_login_works(client):
    from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post("/accounts/login/", {"login": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/app/").url == "/w/demo/"
