"""Every e-mail the product sends, in its own dress: the plain text a service wrote, plus an
HTML version in the product's layout (inline styles only: mail clients drop <style> blocks and
stylesheets), with the product's and the workspace's names and the site's real name from
settings (allauth alone wrote "Hello from 127.0.0.1:8100!")."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def site_name() -> str:
    return settings.SITE_NAME


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).netloc or settings.SITE_URL


def text_with_footer(text: str, *, workspace_name: str | None = None) -> str:
    return render_to_string(
        "email/branded.txt",
        {"text": text.rstrip(), "workspace_name": workspace_name, **_brand()},
    )


def branded_html(
    *,
    text: str = "",
    workspace_name: str | None = None,
    content_html: str | None = None,
    preheader: str = "",
) -> str:
    """The HTML version: `content_html` (already safe markup from our own template) or, by
    default, the plain `text` with its paragraphs kept and its links made clickable."""
    return render_to_string(
        "email/branded.html",
        {
            "text": text,
            "content_html": content_html,
            "workspace_name": workspace_name,
            "preheader": preheader,
            **_brand(),
        },
    )


def branded_message(
    *,
    subject: str,
    text: str,
    to: list[str],
    workspace_name: str | None = None,
    content_html: str | None = None,
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject, text_with_footer(text, workspace_name=workspace_name), None, to
    )
    message.attach_alternative(
        branded_html(text=text, workspace_name=workspace_name, content_html=content_html),
        "text/html",
    )
    return message


def send_branded(
    *,
    subject: str,
    text: str,
    to: list[str],
    workspace_name: str | None = None,
    content_html: str | None = None,
) -> None:
    """Send one message (text and HTML) through the configured backend. Render it inside
    `translation.override(<the member's language>)`: the layout's words are translated too."""
    branded_message(
        subject=subject,
        text=text,
        to=to,
        workspace_name=workspace_name,
        content_html=content_html,
    ).send()


def _brand() -> dict:
    return {
        "product_name": "TechLead AutoPilot",
        "site_name": site_name(),
        "site_url": settings.SITE_URL.rstrip("/") + "/",
        "site_domain": site_domain(),
    }
