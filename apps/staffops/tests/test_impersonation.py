"""Impersonation (django-hijack): superusers only, audited, with a banner while it lasts."""

from django.urls import reverse

from apps.accounts.models import AuditEvent

ACQUIRE = reverse("hijack:acquire")
RELEASE = reverse("hijack:release")


def test_staff_who_are_not_superusers_cannot_impersonate(staff_member, admin_client_for, bob):
    client = admin_client_for(staff_member)
    response = client.post(ACQUIRE, {"user_pk": bob.pk})
    assert response.status_code == 403
    assert client.get(reverse("preferences")).context["user"] == staff_member
    assert not AuditEvent.objects.filter(action__startswith="staff.impersonation").exists()


def test_a_superuser_cannot_impersonate_another_superuser(root_client, db):
    from apps.accounts.tests.factories import UserFactory

    other = UserFactory(is_staff=True, is_superuser=True)
    assert root_client.post(ACQUIRE, {"user_pk": other.pk}).status_code == 403


def test_superuser_impersonates_sees_the_banner_and_releases(
    root_client, superuser, bob, alice_workspace
):
    response = root_client.post(ACQUIRE, {"user_pk": bob.pk, "next": "/w/alice-co/content/"})
    assert response.status_code == 302

    page = root_client.get(reverse("content", args=["alice-co"]))
    assert page.status_code == 200
    assert page.context["user"] == bob
    html = page.content.decode()
    assert 'id="impersonation-banner"' in html
    assert "You are impersonating <strong>bob@example.com</strong>" in html
    assert RELEASE in html

    released = root_client.post(RELEASE)
    assert released.status_code == 302
    after = root_client.get(reverse("preferences"))
    assert after.context["user"] == superuser
    assert 'id="impersonation-banner"' not in after.content.decode()

    events = AuditEvent.objects.filter(action__startswith="staff.impersonation").order_by("id")
    assert [(e.action, e.actor, e.target) for e in events] == [
        ("staff.impersonation_started", superuser, "bob@example.com"),
        ("staff.impersonation_ended", superuser, "bob@example.com"),
    ]


def test_no_banner_for_an_ordinary_session(alice_client, alice_workspace):
    page = alice_client.get(reverse("content", args=["alice-co"]))
    assert 'id="impersonation-banner"' not in page.content.decode()


def test_user_admin_offers_impersonation_to_superusers_only(
    root_client, staff_member, admin_client_for, bob
):
    changelist = reverse("admin:accounts_user_changelist")
    assert f'data-hijack-user="{bob.pk}"' in root_client.get(changelist).content.decode()
    staff_page = admin_client_for(staff_member).get(changelist)
    assert "data-hijack-user" not in staff_page.content.decode()
