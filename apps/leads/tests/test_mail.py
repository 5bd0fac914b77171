"""Comments that arrive as forwarded LinkedIn notification e-mails: parsing (English and
German), keeping every message, matching the post, dedupe, the webhook and ingest_mail."""

import base64
import io
import json
import mailbox
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.content.models import Post
from apps.leads import mail_inbound
from apps.leads.mail_parser import NotificationUnreadable, parse_notification, read_message
from apps.leads.models import Comment, InboundAddress, InboundMessage, Lead

MAIL = Path(__file__).parent / "mail"


def fixture(name: str) -> bytes:
    return (MAIL / name).read_bytes()


def parsed(name: str):
    return parse_notification(read_message(fixture(name)))


# --- The parser ------------------------------------------------------------------------------


def test_an_english_comment_notification_gives_name_headline_text_and_comment_urn():
    note = parsed("comment_en.eml")
    assert (note.kind, note.language, note.name) == ("comment", "en", "Jana Schmidt")
    assert note.headline == "Head of Platform Engineering at Nordwind Logistics"
    assert note.text.startswith("We're stuck migrating our payment services to Kubernetes.")
    assert note.text.endswith("What would a two-week audit cost?")
    assert note.comment_urn == (
        "urn:li:comment:(urn:li:activity:7390000000000000001,7390000000000000777)"
    )
    assert note.post_urns == ["urn:li:activity:7390000000000000001"]
    assert note.post_snippet.startswith("Most Kubernetes migrations stall")
    assert note.sent_at == datetime(2026, 12, 3, 9, 14, 5, tzinfo=UTC)


def test_a_german_html_only_comment_notification_is_read_too():
    note = parsed("comment_de.eml")
    assert (note.kind, note.language, note.name) == ("comment", "de", "Jana Schmidt")
    assert note.headline == "Leiterin Plattform bei Nordwind Logistik"
    assert note.text == (
        "Wir hängen bei der Migration auf Kubernetes fest. "
        "Hätten Sie im Januar Zeit für ein Gespräch über ein Audit?"
    )
    assert note.profile == "jana-schmidt-platform"
    assert (
        note.post_snippet == "Die meisten Kubernetes-Migrationen scheitern an denselben drei Dingen"
    )


def test_a_reply_notification_keeps_the_reply_urn_and_its_thread():
    note = parsed("reply_en.eml")
    assert note.kind == "reply"
    assert note.comment_urn.endswith(",7390000000000000901)")
    assert note.parent_urn.endswith(",7390000000000000777)")
    assert note.headline == "CTO at Fahrwerk GmbH"


def test_a_forwarded_german_reply_without_a_reply_urn_has_no_comment_urn_of_its_own():
    note = parsed("reply_de.eml")
    assert (note.kind, note.language, note.name) == ("reply", "de", "Tom Becker")
    assert note.comment_urn == ""
    assert (
        note.parent_urn == "urn:li:comment:(urn:li:share:7390000000000000003,7390000000000000444)"
    )
    assert note.text.startswith("Bieten Sie das auch als Workshop")


def test_a_comment_without_headline_or_links_is_still_read():
    note = parsed("comment_no_headline_no_links.eml")
    assert (note.name, note.headline, note.text) == (
        "Sam Okafor",
        "",
        "Great post, thanks for sharing!",
    )
    assert note.comment_urn == ""
    assert note.post_urns == []


def test_a_notification_forwarded_by_hand_is_read_from_the_quoted_original():
    note = parsed("manual_forward_en.eml")
    assert (note.name, note.headline) == ("Priya Natarajan", "VP Engineering at Kestrel Pay")
    assert note.text.startswith("Our AWS bill doubled this year.")
    assert note.comment_urn.endswith(",7390000000000000888)")


def test_a_mail_that_is_not_a_comment_notification_is_unreadable():
    with pytest.raises(NotificationUnreadable):
        parsed("gmail_forwarding_confirmation.eml")


# --- Receiving and processing ---------------------------------------------------------------


@pytest.fixture
def address(alice_workspace):
    return mail_inbound.inbound_address(workspace=alice_workspace)


@pytest.fixture
def kubernetes_post(alice, alice_workspace):
    return Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Most Kubernetes migrations stall on the same three things. Which one hit you?",
        status=Post.Status.PUBLISHED,
        linkedin_urn="urn:li:share:7111111111111111111",
        published_at=timezone.now() - timedelta(days=2),
    )


def deliver(address, name: str, django_capture_on_commit_callbacks) -> InboundMessage:
    """As the webhook does: keep the message, then run what was queued after commit."""
    with django_capture_on_commit_callbacks() as queued:
        row = mail_inbound.inbound_receive(
            raw=fixture(name), recipients=[mail_inbound.address_text(address)], provider="test"
        )
    assert len(queued) == 1  # the processing task
    mail_inbound.inbound_process(message_id=row.pk, workspace_id=row.workspace_id)
    row.refresh_from_db()
    return row


def test_a_forwarded_notification_becomes_a_named_scored_lead_on_its_post(
    address, kubernetes_post, django_capture_on_commit_callbacks
):
    row = deliver(address, "comment_en.eml", django_capture_on_commit_callbacks)
    assert row.status == InboundMessage.Status.PARSED
    comment = row.comment
    assert comment.source == Comment.Source.EMAIL
    assert comment.post == kubernetes_post  # matched by the post's opening words
    assert comment.commenter.name == "Jana Schmidt"
    assert comment.commenter.headline == "Head of Platform Engineering at Nordwind Logistics"
    assert comment.urn.startswith("urn:li:comment:(urn:li:activity:")
    assert comment.intent
    assert comment.score_parts
    assert Lead.objects.filter(commenter=comment.commenter).exists() == (
        comment.lead_id is not None
    )


def test_the_same_notification_forwarded_twice_is_stored_once(
    address, kubernetes_post, django_capture_on_commit_callbacks
):
    first = deliver(address, "comment_no_headline_no_links.eml", django_capture_on_commit_callbacks)
    second = deliver(
        address, "comment_no_headline_no_links.eml", django_capture_on_commit_callbacks
    )
    assert first.status == InboundMessage.Status.PARSED
    assert second.status == InboundMessage.Status.DUPLICATE
    assert second.comment_id == first.comment_id
    assert Comment.objects.filter(workspace=address.workspace).count() == 1


def test_a_post_is_matched_by_the_urn_in_the_links(
    alice, alice_workspace, address, django_capture_on_commit_callbacks
):
    post = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Workshops for platform teams",
        status=Post.Status.PUBLISHED,
        linkedin_urn="urn:li:share:7390000000000000003",
        published_at=timezone.now(),
    )
    row = deliver(address, "reply_de.eml", django_capture_on_commit_callbacks)
    assert row.comment.post == post
    assert row.comment.parent_urn.endswith(",7390000000000000444)")


def test_a_notification_without_a_known_post_is_stored_unmatched_not_lost(
    address, django_capture_on_commit_callbacks
):
    row = deliver(address, "comment_de.eml", django_capture_on_commit_callbacks)
    assert row.status == InboundMessage.Status.UNMATCHED
    assert row.comment.post is None
    assert row.comment.commenter.name == "Jana Schmidt"


def test_an_unreadable_message_is_kept_with_its_reason(address, django_capture_on_commit_callbacks):
    row = deliver(address, "gmail_forwarding_confirmation.eml", django_capture_on_commit_callbacks)
    assert row.status == InboundMessage.Status.UNREADABLE
    assert "not a LinkedIn comment" in row.error
    assert "Confirmation code: 123456789" in row.raw
    assert Comment.objects.count() == 0


def test_processing_a_message_twice_stores_its_comment_once(
    address, kubernetes_post, django_capture_on_commit_callbacks
):
    from apps.leads.tasks import process_inbound_message

    row = deliver(address, "comment_en.eml", django_capture_on_commit_callbacks)
    assert process_inbound_message(row.pk, row.workspace_id) == "skipped"
    assert Comment.objects.count() == 1


def test_an_oversized_message_is_kept_cut_short_and_not_read(
    address, django_capture_on_commit_callbacks
):
    raw = fixture("comment_en.eml") + b"x" * (mail_inbound.MAX_RAW_BYTES + 10)
    with django_capture_on_commit_callbacks() as queued:
        row = mail_inbound.inbound_receive(raw=raw, recipients=[mail_inbound.address_text(address)])
    assert queued == []
    assert row.status == InboundMessage.Status.UNREADABLE
    assert len(row.raw) == mail_inbound.MAX_RAW_BYTES
    assert "2 MB" in row.error


def test_forwarding_counts_as_in_use_once_a_comment_arrived_by_mail(
    address, django_capture_on_commit_callbacks
):
    workspace = address.workspace
    deliver(address, "gmail_forwarding_confirmation.eml", django_capture_on_commit_callbacks)
    assert not mail_inbound.forwarding_in_use(workspace=workspace)
    deliver(address, "comment_de.eml", django_capture_on_commit_callbacks)
    assert mail_inbound.forwarding_in_use(workspace=workspace)


def test_an_unmatched_comment_finds_its_post_when_read_again(
    alice, alice_workspace, address, django_capture_on_commit_callbacks
):
    row = deliver(address, "comment_de.eml", django_capture_on_commit_callbacks)
    assert row.status == InboundMessage.Status.UNMATCHED
    post = Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="Die meisten Kubernetes-Migrationen scheitern an denselben drei Dingen. Welches?",
        status=Post.Status.PUBLISHED,
        linkedin_urn="urn:li:share:7222222222222222222",
        published_at=timezone.now() - timedelta(days=1),
    )
    with django_capture_on_commit_callbacks() as queued:
        assert mail_inbound.inbound_retry(workspace=alice_workspace, message=row)
    assert len(queued) == 1
    mail_inbound.inbound_process(message_id=row.pk, workspace_id=alice_workspace.pk)
    row.refresh_from_db()
    assert row.status == InboundMessage.Status.PARSED
    assert row.comment.post == post
    assert Comment.objects.count() == 1


def test_a_message_just_received_is_not_read_twice_by_a_retry(alice_workspace, address):
    row = mail_inbound.inbound_receive(
        raw=fixture("comment_en.eml"), recipients=[mail_inbound.address_text(address)]
    )
    assert not mail_inbound.inbound_retry(workspace=alice_workspace, message=row)


def test_a_name_line_with_a_connection_degree_is_still_the_name():
    raw = fixture("reply_en.eml").replace(
        b"\nTom Becker\nCTO", b"\nTom Becker \xe2\x80\xa2 2nd\nCTO"
    )
    assert "Tom Becker • 2nd" in read_message(raw).get_content()
    note = parse_notification(read_message(raw))
    assert (note.name, note.headline) == ("Tom Becker", "CTO at Fahrwerk GmbH")


def test_a_plain_text_mail_with_rules_tracking_links_and_an_escaped_footer_is_read():
    raw = (
        b"From: LinkedIn <notifications-noreply@linkedin.com>\n"
        b"Subject: Jana Schmidt commented on your post\n"
        b"Content-Type: text/plain; charset=UTF-8\n\n"
        b"Jana Schmidt commented on your post\n"
        b"=============================================================\n"
        b"Jana Schmidt\nHead of Platform at Nordwind\n"
        b"Could we talk about an audit in January?\n"
        b"=============================================================\n"
        b"See the comment > https://www.linkedin.com/e/v2?e=7n8otd&amp;a=comment&amp;midToken=x\n"
        b"&copy; 2026 LinkedIn Ireland Unlimited Company.\n"
    )
    note = parse_notification(read_message(raw))
    assert (note.headline, note.text) == (
        "Head of Platform at Nordwind",
        "Could we talk about an audit in January?",
    )
    assert note.comment_urn == ""
    assert note.post_urns == []


def test_a_notification_naming_where_it_happened_is_read():
    raw = fixture("reply_en.eml").replace(
        b"Subject: Tom Becker replied to your comment",
        b"Subject: Tom Becker replied to your comment on Jana Schmidt's post",
    )
    note = parse_notification(read_message(raw))
    assert (note.kind, note.name) == ("reply", "Tom Becker")


def test_charlie_cannot_make_alices_message_read_again(
    charlie_client, alice_workspace, address, django_capture_on_commit_callbacks
):
    row = deliver(address, "gmail_forwarding_confirmation.eml", django_capture_on_commit_callbacks)
    url = reverse("inbound_message_retry", args=[alice_workspace.slug, row.pk])
    assert charlie_client.post(url).status_code == 404
    row.refresh_from_db()
    assert row.status == InboundMessage.Status.UNREADABLE


def test_mail_to_an_unknown_or_retired_address_is_not_kept(alice_workspace, address):
    old = mail_inbound.address_text(address)
    mail_inbound.inbound_address_regenerate(workspace=alice_workspace)
    assert mail_inbound.inbound_receive(raw=fixture("comment_en.eml"), recipients=[old]) is None
    assert InboundMessage.objects.count() == 0


# --- The webhook (anymail) and ingest_mail ----------------------------------------------------


def postmark_payload(raw: bytes, to: str) -> str:
    return json.dumps(
        {
            "FromFull": {"Email": "notifications-noreply@linkedin.com", "Name": "LinkedIn"},
            "ToFull": [{"Email": to, "Name": ""}],
            "OriginalRecipient": to,
            "Subject": "Jana Schmidt commented on your post",
            "RawEmail": raw.decode(),
            "Headers": [],
            "Attachments": [],
        }
    )


def basic_auth(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


def test_the_postmark_inbound_webhook_keeps_the_message_for_the_workspace(
    client, address, settings, django_capture_on_commit_callbacks
):
    to = mail_inbound.address_text(address)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            "/anymail/postmark/inbound/",
            data=postmark_payload(fixture("comment_en.eml"), to),
            content_type="application/json",
            HTTP_AUTHORIZATION=basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"]),
        )
    assert response.status_code == 200
    row = InboundMessage.objects.get(workspace=address.workspace)
    assert (row.provider, row.status) == ("postmark", InboundMessage.Status.RECEIVED)
    assert "Jana Schmidt" in row.subject
    assert len(queued) == 1


def test_the_webhook_refuses_a_request_without_the_secret(client, address):
    response = client.post(
        "/anymail/postmark/inbound/",
        data=postmark_payload(fixture("comment_en.eml"), mail_inbound.address_text(address)),
        content_type="application/json",
        HTTP_AUTHORIZATION=basic_auth("inbound:wrong"),
    )
    assert response.status_code == 400
    assert InboundMessage.objects.count() == 0


def test_ingest_mail_reads_eml_files_and_an_mbox(address, kubernetes_post, tmp_path, capsys):
    box = mailbox.mbox(tmp_path / "linkedin.mbox")
    box.add(fixture("comment_de.eml"))
    box.add(fixture("reply_en.eml"))
    box.flush()
    call_command(
        "ingest_mail",
        str(MAIL / "comment_en.eml"),
        "--mbox",
        str(tmp_path / "linkedin.mbox"),
        "--to",
        mail_inbound.address_text(address),
    )
    output = capsys.readouterr().out
    assert "3 messages" in output
    names = set(
        Comment.objects.filter(source=Comment.Source.EMAIL).values_list(
            "commenter__name", flat=True
        )
    )
    assert names == {"Jana Schmidt", "Tom Becker"}
    assert InboundMessage.objects.count() == 3


def test_ingest_mail_reads_one_message_piped_by_a_mail_server(
    address, kubernetes_post, monkeypatch, capsys
):
    monkeypatch.setenv("ORIGINAL_RECIPIENT", mail_inbound.address_text(address))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(fixture("comment_en.eml"))))
    call_command("ingest_mail", "-")
    assert "stdin: parsed" in capsys.readouterr().out
    assert Comment.objects.get().commenter.name == "Jana Schmidt"


def test_the_lead_page_says_the_comment_came_by_e_mail(
    alice_client, alice_workspace, address, kubernetes_post, django_capture_on_commit_callbacks
):
    from apps.leads.services import lead_settings

    rules = lead_settings(alice_workspace)
    rules.alert_threshold = 0  # every comment makes a lead, whatever the classifier says
    rules.save()
    row = deliver(address, "comment_en.eml", django_capture_on_commit_callbacks)
    url = reverse("lead_detail", args=[alice_workspace.slug, row.comment.lead_id])
    body = alice_client.get(url).content.decode()
    assert 'data-comment-source="email"' in body
    assert "From a LinkedIn notification e-mail" in body


# --- The forwarding page ---------------------------------------------------------------------


def test_the_forwarding_page_shows_the_private_address_and_the_messages(
    alice_client, alice_workspace, address, django_capture_on_commit_callbacks
):
    deliver(address, "gmail_forwarding_confirmation.eml", django_capture_on_commit_callbacks)
    url = reverse("inbound_setup", args=[alice_workspace.slug])
    response = alice_client.get(url)
    body = response.content.decode()
    assert mail_inbound.address_text(address) in body
    assert 'data-status="unreadable"' in body
    assert "Gmail Forwarding Confirmation" in body


def test_the_forwarding_list_partial_pins_its_query_count(
    alice_client, alice_workspace, address, django_assert_num_queries
):
    url = reverse("inbound_setup", args=[alice_workspace.slug])
    alice_client.get(url)
    # user (the session comes from the cache), savepoint (workspace_view), memberships with their
    # workspaces, the address, the messages with their comments, release savepoint
    with django_assert_num_queries(6):
        response = alice_client.get(url, HTTP_HX_REQUEST="true")
    assert b"Recent messages" in response.content


def test_the_test_message_goes_through_the_receiver_and_proves_the_route(
    alice_client, alice_workspace, address
):
    response = alice_client.post(reverse("inbound_test", args=[alice_workspace.slug]))
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.test_received_at is not None
    row = InboundMessage.objects.get(workspace=alice_workspace)
    assert row.status == InboundMessage.Status.TEST
    assert row.provider == "loopback"


def test_making_a_new_address_retires_the_old_one(alice_client, alice_workspace, address):
    old = address.token
    alice_client.post(reverse("inbound_regenerate", args=[alice_workspace.slug]))
    assert InboundAddress.objects.get(workspace=alice_workspace).token != old


def test_an_editor_cannot_see_the_forwarding_address(bob_client, alice_workspace, address):
    response = bob_client.get(reverse("inbound_setup", args=[alice_workspace.slug]))
    assert response.status_code == 403
    assert address.token.encode() not in response.content


def test_charlie_cannot_open_alices_inbound_message(
    charlie_client, alice_workspace, address, django_capture_on_commit_callbacks
):
    row = deliver(address, "comment_de.eml", django_capture_on_commit_callbacks)
    url = reverse("inbound_message", args=[alice_workspace.slug, row.pk])
    response = charlie_client.get(url)
    assert response.status_code == 404
    assert b"Jana" not in response.content
