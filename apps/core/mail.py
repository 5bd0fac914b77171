"""An email backend that keeps messages in the database instead of sending them."""

from django.core.mail.backends.base import BaseEmailBackend

from apps.core.models import OutboundEmail


class DatabaseEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        kept = 0
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            OutboundEmail.objects.create(
                subject=message.subject[:255],
                from_email=message.from_email or "",
                to=", ".join(message.to + message.cc + message.bcc),
                body_text=message.body or "",
                body_html=html,
            )
            kept += 1
        return kept
