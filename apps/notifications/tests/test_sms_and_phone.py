"""SMS through a local fake of Twilio's Messages API, and proving a phone number with a code."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.notifications import sms
from apps.notifications.models import Channel, Delivery, Event, PhoneNumber
from apps.notifications.services import (
    CODE_MAX_ATTEMPTS,
    NotificationError,
    normalise_phone,
    notify,
    phone_send_code,
    phone_set,
    phone_update_sms,
    phone_verify,
)
from apps.notifications.tests.conftest import run_enqueued

pytestmark = pytest.mark.django_db


# --- The provider client --------------------------------------------------------------------


def test_a_message_goes_to_twilio_with_the_accounts_credentials_and_form_fields(twilio):
    message_id = sms.send(to="+4915112345678", body="Hot lead (score 92) from Jane Doe")
    assert message_id.startswith("SM")
    assert twilio.refused == []
    assert twilio.sent == [
        {
            "To": "+4915112345678",
            "From": "+15005550006",
            "Body": "Hot lead (score 92) from Jane Doe",
        }
    ]


def test_wrong_credentials_are_an_error_with_the_providers_code(twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "wrong"
    with pytest.raises(sms.SmsError, match="401 \\(20003\\)"):
        sms.send(to="+4915112345678", body="hello")
    assert twilio.sent == []


def test_without_a_provider_sms_is_not_offered(settings):
    settings.SMS_PROVIDER = ""
    assert not sms.sms_configured()
    with pytest.raises(sms.SmsError):
        sms.send(to="+4915112345678", body="hello")


def test_an_opted_out_number_turns_sms_off_for_it(
    alice, alice_workspace, twilio, verified_phone, enqueued, django_capture_on_commit_callbacks
):
    twilio.opted_out.add(verified_phone.number)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            workspace=alice_workspace,
            event=Event.LEAD_DETECTED,
            users=[alice],
            title="New lead (score 97): A LinkedIn member",
            dedupe_key="lead:1",
            score=97,
        )
    run_enqueued(enqueued)
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == Delivery.Status.FAILED
    assert "21610" in delivery.error
    verified_phone.refresh_from_db()
    assert verified_phone.opted_out_at is not None
    assert not verified_phone.can_receive_sms
    # The next hot lead does not even try.
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            workspace=alice_workspace,
            event=Event.LEAD_DETECTED,
            users=[alice],
            title="New lead (score 99)",
            dedupe_key="lead:2",
            score=99,
        )
    assert Delivery.objects.filter(channel=Channel.SMS).count() == 1
    # Turning it on again (after texting START) clears the opt-out.
    phone_update_sms(phone=verified_phone, sms_enabled=True, sms_threshold=95)
    assert verified_phone.can_receive_sms


def test_the_members_own_switch_stops_sms(alice, alice_workspace, twilio, verified_phone):
    phone_update_sms(phone=verified_phone, sms_enabled=False, sms_threshold=90)
    notify(
        workspace=alice_workspace,
        event=Event.LEAD_DETECTED,
        users=[alice],
        title="New lead",
        dedupe_key="lead:1",
        score=99,
    )
    assert not Delivery.objects.filter(channel=Channel.SMS).exists()


# --- Phone verification ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+49 151 1234-5678", "+4915112345678"),
        ("0049 (151) 12345678", "+4915112345678"),
        ("+1 415 555 0100", "+14155550100"),
    ],
)
def test_numbers_are_stored_in_e164(typed, stored):
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize("typed", ["0151 12345678", "+0 123 456 789", "+49 151", "call me"])
def test_numbers_without_a_country_code_are_refused(typed):
    with pytest.raises(NotificationError, match="international form"):
        normalise_phone(typed)


def test_the_right_code_verifies_the_number(alice, alice_workspace, twilio):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+49 151 12345678")
    (code,) = twilio.codes_sent_to("+4915112345678")
    assert code not in phone.code_hash  # stored hashed
    phone_verify(phone=phone, code=code)
    phone.refresh_from_db()
    assert phone.verified_at is not None
    assert phone.can_receive_sms


def test_a_wrong_code_counts_and_says_how_many_tries_are_left(alice, alice_workspace, twilio):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")
    (code,) = twilio.codes_sent_to(phone.number)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(NotificationError, match="4 tries left"):
        phone_verify(phone=phone, code=wrong)
    phone.refresh_from_db()
    assert phone.verified_at is None
    assert phone.code_attempts == 1


def test_after_too_many_wrong_codes_even_the_right_one_fails(alice, alice_workspace, twilio):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")
    (code,) = twilio.codes_sent_to(phone.number)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(CODE_MAX_ATTEMPTS):
        with pytest.raises(NotificationError):
            phone_verify(phone=PhoneNumber.objects.get(pk=phone.pk), code=wrong)
    with pytest.raises(NotificationError, match="Too many wrong codes"):
        phone_verify(phone=PhoneNumber.objects.get(pk=phone.pk), code=code)
    assert PhoneNumber.objects.get(pk=phone.pk).verified_at is None


def test_an_expired_code_fails_and_a_new_one_works(alice, alice_workspace, twilio):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")
    (old,) = twilio.codes_sent_to(phone.number)
    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        with pytest.raises(NotificationError, match="expired"):
            phone_verify(phone=phone, code=old)
        phone_send_code(phone=phone)
    new = twilio.codes_sent_to(phone.number)[-1]
    with time_machine.travel(later + timedelta(minutes=1), tick=False):
        phone_verify(phone=PhoneNumber.objects.get(pk=phone.pk), code=new)
    assert PhoneNumber.objects.get(pk=phone.pk).verified_at is not None


def test_codes_are_not_sent_more_than_once_a_minute(alice, alice_workspace, twilio):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")
    with pytest.raises(NotificationError, match="Wait a minute"):
        phone_send_code(phone=phone)
    assert len(twilio.codes_sent_to(phone.number)) == 1


def test_a_new_number_must_be_verified_again(alice, alice_workspace, twilio, verified_phone):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+14155550100")
    assert phone.pk == verified_phone.pk
    assert phone.verified_at is None
    assert not phone.can_receive_sms


def test_without_a_provider_no_number_can_be_added(alice, alice_workspace, settings):
    settings.SMS_PROVIDER = ""
    with pytest.raises(NotificationError, match="not offered"):
        phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")


@pytest.fixture
def texts_outside_transactions(monkeypatch):
    """Fails the test if a text goes to the provider while a transaction is open: the provider
    may take seconds, and the transaction would hold its connection and locks that long."""
    from conftest import open_transaction

    sent_inside = []
    send = sms.send

    def guarded(**kwargs):
        if open_transaction():
            sent_inside.append(kwargs["to"])
        return send(**kwargs)

    monkeypatch.setattr(sms, "send", guarded)
    return sent_inside


def test_the_code_goes_out_with_no_transaction_open(
    alice, alice_workspace, twilio, texts_outside_transactions
):
    phone = phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        phone_send_code(phone=phone)
    assert len(twilio.codes_sent_to(phone.number)) == 2
    assert texts_outside_transactions == []


def test_asking_for_a_code_on_the_page_texts_it_with_no_transaction_open(
    alice_client, alice, alice_workspace, twilio, texts_outside_transactions
):
    response = alice_client.post(
        "/w/alice-co/settings/notifications/phone/", {"number": "+49 151 12345678"}
    )
    assert response.status_code == 302
    assert len(twilio.codes_sent_to("+4915112345678")) == 1
    assert texts_outside_transactions == []


def test_a_code_the_provider_refused_can_be_asked_for_again_at_once(alice, alice_workspace, twilio):
    twilio.fail_next = 1
    with pytest.raises(NotificationError, match="could not be sent"):
        phone_set(workspace=alice_workspace, user=alice, raw_number="+4915112345678")
    phone = PhoneNumber.objects.get(user=alice)
    assert (phone.number, phone.verified_at, phone.code_hash) == ("+4915112345678", None, "")
    phone_send_code(phone=phone)  # no "wait a minute": nothing reached the member
    (code,) = twilio.codes_sent_to(phone.number)
    phone_verify(phone=PhoneNumber.objects.get(pk=phone.pk), code=code)
    assert PhoneNumber.objects.get(pk=phone.pk).verified_at is not None
