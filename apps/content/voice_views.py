"""Past posts: import them (paste or LinkedIn's Shares.csv), see the style learned from them,
delete them. The work is in apps/content/voice.py; these views parse input and render.

Reading posts through LinkedIn's API is not offered: an ordinary app may post for a member but
not read their posts back (that needs a partner-only permission), and the page says so.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, require_role, workspace_view
from apps.content import voice
from apps.content.forms import PastPostImportForm
from apps.content.models import PastPost

TEMPLATE = "content/past_posts.html"


def _render(request: HttpRequest, form: PastPostImportForm, status: int = 200) -> HttpResponse:
    posts = list(voice.past_posts(workspace=request.workspace).only("pk", "text", "published_at"))
    style = voice.style_from_texts([post.text for post in posts])
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "posts": posts,
            "style": style,
            "style_text": voice.describe_style(style) if style else "",
            "can_write": request.membership.has_role(Role.EDITOR),
        },
        status=status,
    )


def _import(request: HttpRequest, form: PastPostImportForm) -> HttpResponse:
    text, kind = form.cleaned_data["text"], form.cleaned_data["kind"]
    if voice.looks_like_shares_csv(text):  # pasted the export's text under "pasted posts"
        kind = PastPostImportForm.CSV
    try:
        if kind == PastPostImportForm.CSV:
            posts = voice.parse_shares_csv(text)
            source = PastPost.Source.CSV
        else:
            posts = voice.split_pasted_posts(text)
            source = PastPost.Source.PASTE
        if not posts:
            raise voice.PastPostImportError(_("No posts found in what you gave."))
        result = voice.past_posts_import(
            workspace=request.workspace, author=request.user, posts=posts, source=source
        )
    except voice.PastPostImportError as error:
        # Keep what they gave (a file's text too) in the box, so they can fix it there.
        form = PastPostImportForm(data={"kind": kind, "text": text})
        form.is_valid()
        form.add_error(None, str(error))
        return _render(request, form, status=400)
    message = ngettext("%(n)d post imported.", "%(n)d posts imported.", result.created) % {
        "n": result.created
    }
    if result.duplicates:
        message += " " + ngettext(
            "%(n)d was already here and was skipped.",
            "%(n)d were already here and were skipped.",
            result.duplicates,
        ) % {"n": result.duplicates}
    messages.success(request, message)
    return redirect("past_posts", workspace_slug=request.workspace.slug)


@workspace_view()
def past_posts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        require_role(request.membership, Role.EDITOR)
        form = PastPostImportForm(request.POST, request.FILES)
        if form.is_valid():
            return _import(request, form)
        return _render(request, form, status=400)
    return _render(request, PastPostImportForm())


@workspace_view(min_role=Role.EDITOR)
@require_POST
def past_post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    past_post = get_owned_or_404(PastPost, workspace=request.workspace, pk=pk)
    voice.past_post_delete(workspace=request.workspace, past_post=past_post)
    messages.success(request, _("Past post deleted."))
    return redirect("past_posts", workspace_slug=request.workspace.slug)
