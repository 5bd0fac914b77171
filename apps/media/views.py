"""Media in the editor: attach, describe, reorder, remove, make a carousel, preview, and the
files themselves, served only to members of the workspace (another workspace's media: 404)."""

import base64

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.tenancy import get_owned_or_404, workspace_view
from apps.content.models import Post

from . import selectors, services
from .carousel import carousel_from_post, render_thumbnails
from .forms import AttachForm, CarouselForm, CarouselStyleForm, DescribeForm
from .models import MediaPage, PostMedia
from .preview import feed_previews
from .storage import signed_url, signs_urls
from .validation import MediaError

# Enough for any image we take; a bigger PDF is refused before it is read into memory twice.
READ_LIMIT = 100 * 1024 * 1024 + 1


def _post(request, pk) -> Post:
    return get_owned_or_404(Post, workspace=request.workspace, pk=pk)


def _media(request, pk) -> PostMedia:
    return get_owned_or_404(
        PostMedia.objects.select_related("post"), workspace=request.workspace, pk=pk
    )


def _back(request, post_pk: int) -> HttpResponse:
    return redirect("post_edit", workspace_slug=request.workspace.slug, pk=post_pk)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def media_attach(request: HttpRequest, post_pk: int) -> HttpResponse:
    post = _post(request, post_pk)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, post.pk)
    upload = form.cleaned_data["file"]
    try:
        services.media_attach(
            post=post,
            actor=request.user,
            data=upload.read(READ_LIMIT),
            name=upload.name,
            alt_text=form.cleaned_data["alt_text"],
        )
    except MediaError as error:
        messages.error(request, str(error))
    else:
        if not form.cleaned_data["alt_text"] and not upload.name.lower().endswith(".pdf"):
            messages.warning(request, _("Attached. Add alt text so everyone can follow the image."))
        else:
            messages.success(request, _("Attached."))
    return _back(request, post.pk)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def media_describe(request: HttpRequest, pk: int) -> HttpResponse:
    media = _media(request, pk)
    form = DescribeForm(request.POST)
    if form.is_valid():
        try:
            services.media_describe(media=media, actor=request.user, **form.cleaned_data)
        except MediaError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Saved."))
    return _back(request, media.post_id)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def media_move(request: HttpRequest, pk: int) -> HttpResponse:
    media = _media(request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.media_move(media=media, actor=request.user, offset=offset)
    except MediaError as error:
        messages.error(request, str(error))
    return _back(request, media.post_id)


@workspace_view(min_role=Role.EDITOR)
@require_POST
def media_remove(request: HttpRequest, pk: int) -> HttpResponse:
    media = _media(request, pk)
    try:
        services.media_remove(media=media, actor=request.user)
    except MediaError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Removed."))
    return _back(request, media.post_id)


@workspace_view(min_role=Role.EDITOR)
def carousel(request: HttpRequest, post_pk: int) -> HttpResponse:
    """GET: the carousel's pages as thumbnails, before anything is stored; POST: attach it."""
    post = _post(request, post_pk)
    form = CarouselForm(request.POST or request.GET or None)
    language = form.cleaned_data["language"] if form.is_valid() else _default_language()
    if request.method == "POST":
        try:
            services.carousel_attach(post=post, actor=request.user, language=language)
        except MediaError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The carousel is attached to the post."))
        return _back(request, post.pk)
    made = carousel_from_post(post=post, language=language)
    thumbnails = [
        "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        for png in render_thumbnails(made)
    ]
    return render(
        request,
        "media/carousel_preview.html",
        {
            "post": post,
            "carousel": made,
            "thumbnails": thumbnails,
            "form": CarouselForm(initial={"language": language}),
            "language": language,
            "style_form": _style_form(request.workspace),
            "can_style": request.membership.has_role(Role.ADMIN),
        },
    )


def _style_form(workspace) -> CarouselStyleForm:
    style = selectors.carousel_style(workspace=workspace)
    return CarouselStyleForm(
        initial={"background": style.background, "accent": style.accent, "text": style.text}
    )


@workspace_view(min_role=Role.ADMIN)
@require_POST
def carousel_style(request: HttpRequest, post_pk: int) -> HttpResponse:
    """The workspace's carousel colours and logo (owners and admins), from the carousel page."""
    post = _post(request, post_pk)
    form = CarouselStyleForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        logo = form.cleaned_data["logo"]
        try:
            services.carousel_style_save(
                workspace=request.workspace,
                actor=request.user,
                background=form.cleaned_data["background"],
                accent=form.cleaned_data["accent"],
                text=form.cleaned_data["text"],
                logo=logo.read(READ_LIMIT) if logo else None,
                logo_name=logo.name if logo else "",
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except MediaError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The carousel style is saved."))
    return redirect("media_carousel", workspace_slug=request.workspace.slug, post_pk=post.pk)


def _default_language() -> str:
    return "de" if (get_language() or "").startswith("de") else "en"


@workspace_view(min_role=Role.EDITOR)
@require_POST
def post_preview(request: HttpRequest, post_pk: int) -> HttpResponse:
    """The LinkedIn preview for the text being typed (htmx), without saving it."""
    post = get_owned_or_404(
        Post.objects.select_related("workspace", "author"),
        workspace=request.workspace,
        pk=post_pk,
    )
    return render(
        request,
        "media/_linkedin_preview.html",
        preview_context(
            post=post,
            text=request.POST.get("text", post.text)[:10_000],
            first_comment=request.POST.get("first_comment", post.first_comment)[:1250],
        ),
    )


def preview_context(*, post, text: str, first_comment: str) -> dict:
    media = list(selectors.post_media(workspace=post.workspace, post=post))
    document = media[0] if media and not media[0].is_image else None
    return {
        "post": post,
        "previews": feed_previews(text),
        "first_comment": first_comment,
        "media": media,
        "document": document,
        "document_pages": list(selectors.document_pages(workspace=post.workspace, media=document))
        if document
        else [],
        "images": [item for item in media if item.is_image],
    }


@workspace_view()
def media_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The file itself, for members only: streamed from the filesystem, or a redirect to a
    short-lived signed URL of the object store (apps/media/storage.py)."""
    media = _media(request, pk)
    return _file_response(media.file, media.content_type, media.original_name)


@workspace_view()
def media_cover(request: HttpRequest, pk: int) -> HttpResponse:
    media = _media(request, pk)
    if not media.cover:
        raise Http404
    return _file_response(media.cover, "image/png", "cover.png")


@workspace_view()
def media_page(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One rendered page of an attached PDF (the preview's document pages)."""
    media = _media(request, pk)
    page = get_owned_or_404(MediaPage, workspace=request.workspace, media=media, number=number)
    return _file_response(page.image, "image/png", f"page-{number}.png")


def _file_response(field_file, content_type: str, name: str) -> HttpResponse:
    if signs_urls(field_file.storage):
        response = HttpResponseRedirect(
            signed_url(field_file, content_type=content_type, filename=name)
        )
        # The browser may reuse the redirect while the URL it points to is still valid.
        response["Cache-Control"] = f"private, max-age={settings.MEDIA_URL_EXPIRY // 2}"
        return response
    response = FileResponse(field_file.open("rb"), content_type=content_type, filename=name or None)
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline"
    )
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
