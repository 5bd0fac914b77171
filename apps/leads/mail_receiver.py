"""The one receiver of django-anymail's inbound signal: whatever provider the deployment
uses (Mailgun, Postmark, SendGrid, Amazon SES, …), the message is kept for its workspace and
read by a task right after. The webhook itself is authenticated by anymail (WEBHOOK_SECRET
as HTTP basic auth, plus the provider's signature where it has one)."""

from __future__ import annotations

from anymail.signals import inbound
from django.dispatch import receiver

from apps.leads.mail_inbound import inbound_receive


@receiver(inbound, dispatch_uid="leads.inbound_mail")
def on_inbound_mail(sender, event, esp_name, **kwargs) -> None:
    message = event.message
    recipients = [message.envelope_recipient] if message.envelope_recipient else []
    inbound_receive(raw=message.as_bytes(), recipients=recipients, provider=esp_name.lower())
