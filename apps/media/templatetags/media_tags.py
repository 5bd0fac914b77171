"""`{% post_media_panel %}`: the media, carousel and LinkedIn preview cards of the editor, so
the editor's view need not know about media."""

from django import template

from apps.accounts.models import Role

from ..forms import AttachForm, CarouselForm
from ..views import _default_language, preview_context

register = template.Library()


@register.inclusion_tag("media/_post_media.html", takes_context=True)
def post_media_panel(context, post):
    request = context["request"]
    can_write = request.membership.has_role(Role.EDITOR) and post.is_editable
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "can_write": can_write and post.archived_at is None,
        "attach_form": AttachForm(),
        "carousel_form": CarouselForm(initial={"language": _default_language()}),
        **preview_context(post=post, text=post.text, first_comment=post.first_comment),
    }
