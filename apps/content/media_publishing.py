"""The media step of publishing: put a post's images or PDF on LinkedIn before the post.

Called by `publishing.publish` after the attempt is on record and before the post is created.
Each file is uploaded at most once: its LinkedIn URN is stored on its media row (in its own
short transaction, after the upload and before the post is created), and a retried publish
(after a 500, a lost answer, a reaper or a person's "publish again") reuses the stored URNs
instead of uploading again. An upload that fails raises the client's typed error before any
post exists, so publishing retries or fails the post exactly as for a failed create; LinkedIn
never gets a post without its media.

An upload is not a post: an asset that no post names is never shown, so an upload whose
answer was lost is simply done again (the client raises a transient error for it).
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from apps.accounts.tenancy import owned
from apps.linkedin import client as linkedin
from apps.media.models import PostMedia

logger = logging.getLogger(__name__)


def media_content(*, client: linkedin.LinkedInClient, post, owner_urn: str) -> dict | None:
    """Upload whatever of the post's media is not on LinkedIn yet; the post's `content`."""
    media = list(
        owned(PostMedia, workspace=post.workspace).filter(post=post).order_by("position", "pk")
    )
    if not media:
        return None
    for item in media:
        if item.linkedin_urn:
            continue  # uploaded by an earlier attempt: never twice
        try:
            with item.file.open("rb") as handle:
                data = handle.read()
        except OSError as error:
            # Nothing was sent: the post fails with a reason instead of hanging in publishing.
            raise linkedin.LinkedInValidationError(
                _("The attached file %(name)s could not be read; attach it again.")
                % {"name": item.original_name or item.get_kind_display()}
            ) from error
        urn = client.upload_media(item.kind, owner_urn, data)
        # Only the first upload's URN is kept, should two runs ever race past the check above.
        owned(PostMedia, workspace=post.workspace).filter(pk=item.pk, linkedin_urn="").update(
            linkedin_urn=urn
        )
        item.refresh_from_db(fields=["linkedin_urn"])
        logger.info("post %s: uploaded %s as %s", post.pk, item.kind, item.linkedin_urn)
    if media[0].kind == PostMedia.Kind.DOCUMENT:
        document = media[0]
        return linkedin.document_content(document.linkedin_urn, document.title or post.hook[:200])
    if len(media) == 1:
        return linkedin.image_content(media[0].linkedin_urn, media[0].alt_text)
    return linkedin.multi_image_content([(item.linkedin_urn, item.alt_text) for item in media])
