"""What staff see after an admin action; shared by the admins that offer the same action."""

from django.contrib import messages
from django.utils.translation import ngettext


def report_retried(model_admin, request, retried: int) -> None:
    model_admin.message_user(
        request,
        ngettext(
            "%(n)d failed post is scheduled to publish now.",
            "%(n)d failed posts are scheduled to publish now.",
            retried,
        )
        % {"n": retried},
        messages.SUCCESS if retried else messages.WARNING,
    )
