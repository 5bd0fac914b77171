"""How a stored media file reaches the browser, whichever storage holds it.

Every file is asked for at the app's own URL (`media_file`, `media_cover`, `media_page`), which
checks the workspace first (another workspace's media: 404). Then:

- on the filesystem (development, small installs) the app streams the bytes;
- in an S3-compatible store the app answers with a redirect to a URL the store signs, valid
  for MEDIA_URL_EXPIRY seconds: the bytes never pass through the app, the bucket stays
  private, and a link copied out of the page stops working after a few minutes.

The store's host is added to the page's img-src (apps/core/csp.py) only in the second case.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage


def signs_urls(storage=None) -> bool:
    """Whether the storage hands out signed, expiring URLs (django-storages' S3 backend with
    query-string authentication) rather than needing the app to stream the file."""
    storage = storage if storage is not None else default_storage
    return bool(getattr(storage, "querystring_auth", False)) and not getattr(
        storage, "custom_domain", None
    )


def signed_url(field_file, *, content_type: str, filename: str) -> str:
    """A short-lived URL for the stored file, answered by the store with the type and the
    inline disposition the app would have sent, and cacheable by this browser only."""
    safe_name = "".join(c for c in filename if c.isascii() and c.isprintable() and c not in '"\\')
    safe_name = safe_name or "file"
    return field_file.storage.url(
        field_file.name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": f'inline; filename="{safe_name}"',
            "ResponseCacheControl": f"private, max-age={settings.MEDIA_URL_EXPIRY}",
        },
        expire=settings.MEDIA_URL_EXPIRY,
    )


def signed_url_origin() -> str | None:
    """The scheme and host the store's signed URLs point at (for the CSP), None when the app
    streams files itself."""
    if not signs_urls():
        return None
    parts = urlsplit(default_storage.url("origin-probe"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
