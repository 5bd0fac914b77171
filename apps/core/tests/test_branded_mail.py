"""Every e-mail goes out as text and HTML in the product's layout, signed with the site's
name from settings, never the request's host."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from apps.accounts import services
from apps.accounts.models import Membership, Role
from apps.core.branded_mail import send_branded

pytestmark = pytest.mark.django_db


def _html(message) -> str:
    (html,) = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    return html


@override_settings(SITE_NAME="Acme Leads", SITE_URL="https://leads.acme.example")
def test_a_branded_message_has_text_and_html_with_both_names_and_inline_styles():
    send_branded(
        subject="Hi",
        text="Open it: https://leads.acme.example/w/x/\n\nThanks & bye <b>",
        to=["a@example.com"],
        workspace_name="Alice Co",
    )
    (message,) = mail.outbox
    assert "Alice Co · TechLead AutoPilot" in message.body
    assert "Sent by Acme Leads" in message.body
    html = _html(message)
    assert "TechLead AutoPilot" in html
    assert "Alice Co" in html
    assert "Sent by Acme Leads" in html
    assert 'href="https://leads.acme.example/w/x/"' in html  # links are clickable
    assert "&lt;b&gt;" in html  # the text is escaped
    assert "<style" not in html  # mail clients drop style blocks: inline styles only
    assert 'style="' in html


def test_the_layout_follows_the_language_it_is_rendered_in():
    with translation.override("de"):
        send_branded(subject="Hallo", text="Text", to=["a@example.com"])
    assert "Gesendet von" in _html(mail.outbox[0])


@override_settings(SITE_NAME="Acme Leads", ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_the_sign_up_confirmation_names_the_site_not_the_host(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "nina@example.com",
            "full_name": "Nina Novak",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
        },
    )
    (message,) = mail.outbox
    assert "Acme Leads" in message.body
    assert "testserver" not in message.body.split("http://testserver")[0]  # only in the link
    assert not re.search(r"Hello from testserver", message.body)
    html = _html(message)
    assert "Acme Leads" in html
    assert "/accounts/confirm-email/" in html


def test_an_invitation_is_branded_with_the_workspace(
    alice, alice_workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            workspace=alice_workspace,
            email="new@example.com",
            role=Role.EDITOR,
            actor_membership=Membership.objects.get(workspace=alice_workspace, user=alice),
        )
    (message,) = mail.outbox
    html = _html(message)
    assert "Alice Co" in html
    assert "/invitations/" in html
