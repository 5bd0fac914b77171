"""django-anymail's inbound webhooks, for the providers this deployment can use: those that
need only the shared basic-auth secret always, the others once their key (or package) is
configured. Mounted at /anymail/ by techlead/urls.py when ANYMAIL_WEBHOOK_SECRET is set.

Only inbound views: the app sends no tracked mail through these providers, and anymail's
whole URL list would include views that fail without their provider's package (Amazon SES
needs boto3)."""

import importlib.util

from anymail.webhooks.mailjet import MailjetInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from anymail.webhooks.sparkpost import SparkPostInboundWebhookView
from django.conf import settings
from django.urls import path, re_path

app_name = "anymail"

urlpatterns = [
    path("postmark/inbound/", PostmarkInboundWebhookView.as_view(), name="postmark_inbound"),
    path("sendgrid/inbound/", SendGridInboundWebhookView.as_view(), name="sendgrid_inbound"),
    path("mailjet/inbound/", MailjetInboundWebhookView.as_view(), name="mailjet_inbound"),
    path("sparkpost/inbound/", SparkPostInboundWebhookView.as_view(), name="sparkpost_inbound"),
]

if settings.ANYMAIL.get("MAILGUN_WEBHOOK_SIGNING_KEY"):
    from anymail.webhooks.mailgun import MailgunInboundWebhookView

    # Mailgun posts the raw message to a URL containing "mime", parsed fields otherwise.
    urlpatterns.append(
        re_path(
            r"^mailgun/inbound(_mime)?/$",
            MailgunInboundWebhookView.as_view(),
            name="mailgun_inbound",
        )
    )
if settings.ANYMAIL.get("MAILERSEND_INBOUND_SECRET"):
    from anymail.webhooks.mailersend import MailerSendInboundWebhookView

    urlpatterns.append(
        path(
            "mailersend/inbound/",
            MailerSendInboundWebhookView.as_view(),
            name="mailersend_inbound",
        )
    )
if settings.ANYMAIL.get("POSTAL_WEBHOOK_KEY"):
    from anymail.webhooks.postal import PostalInboundWebhookView

    urlpatterns.append(
        path("postal/inbound/", PostalInboundWebhookView.as_view(), name="postal_inbound")
    )
if settings.ANYMAIL.get("BREVO_API_KEY"):
    from anymail.webhooks.brevo import BrevoInboundWebhookView

    urlpatterns.append(
        path("brevo/inbound/", BrevoInboundWebhookView.as_view(), name="brevo_inbound")
    )
if importlib.util.find_spec("boto3") is not None:
    from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView

    urlpatterns.append(
        path(
            "amazon_ses/inbound/",
            AmazonSESInboundWebhookView.as_view(),
            name="amazon_ses_inbound",
        )
    )
