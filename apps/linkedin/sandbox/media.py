"""The Images and Documents APIs (linkedin-api.md, "Images and documents"; DOC Images API,
Documents API, POSTS "content").

The flow LinkedIn documents, played here:

1. `POST /rest/images?action=initializeUpload` (or `/rest/documents?...`) with
   `{"initializeUploadRequest": {"owner": "urn:li:person:…"}}` answers
   `{"value": {"uploadUrl", "uploadUrlExpiresAt", "image" | "document"}}`; the asset is
   WAITING_UPLOAD.
2. `PUT {uploadUrl}` with the bytes and the member's bearer token answers 201; the asset is
   AVAILABLE. Bytes LinkedIn would not take (an image that is not JPEG, PNG or GIF or over
   36,152,320 pixels; a document that is not a PDF, over 100 MB or over 300 pages) answer
   400 and leave the asset PROCESSING_FAILED.
3. `GET /rest/images/{urn}` (or `/rest/documents/{urn}`) reads the status back.
4. A post names the assets in `content`: `content.media.id` (an image with `altText`, or a
   document with a `title`) or `content.multiImage.images[]` (2 to 20 images). An asset that
   is missing, not the author's or not AVAILABLE gets 422 and no post is made.

Choices where the documentation is silent: upload URLs live one hour and work until then
(a second PUT replaces the bytes); a PUT after that answers 400. Only PDF documents are
accepted here (LinkedIn also takes PPT(X) and DOC(X), which this app never sends).
"""

from __future__ import annotations

import io
import secrets
from typing import TYPE_CHECKING

from .rest import Caller, illegal_argument, linkedin_id, not_found, require_scope, unprocessable
from .web import ApiError, Request, Response, json_response

if TYPE_CHECKING:
    from .app import Sandbox

UPLOAD_PREFIX = "/dms-uploads/"
UPLOAD_URL_LIFETIME_SECONDS = 3600
IMAGE_MAX_PIXELS = 36_152_320
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}
GIF_MAX_FRAMES = 250
DOCUMENT_MAX_BYTES = 100 * 1024 * 1024
DOCUMENT_MAX_PAGES = 300
MULTI_IMAGE_MIN, MULTI_IMAGE_MAX = 2, 20
KINDS = {"images": "image", "documents": "document"}
URN_PREFIX = {"image": "urn:li:image:", "document": "urn:li:document:"}


def initialize_upload(sandbox: Sandbox, request: Request, caller: Caller, kind: str) -> Response:
    if request.query_params().get("action") != "initializeUpload":
        raise illegal_argument("Resource method could not be resolved from request parameters.")
    try:
        body = request.json()
    except ValueError:
        raise illegal_argument("Request body could not be converted to data map") from None
    owner = (body.get("initializeUploadRequest") or {}).get("owner")
    if not owner:
        raise unprocessable(
            "ERROR :: /initializeUploadRequest/owner :: field is required but not found and "
            "has no default value\n"
        )
    require_scope(sandbox, caller, "w_member_social", f"{kind}s.ACTION-initializeUpload")
    if owner != caller.member_urn:
        raise sandbox.access_denied(f"{kind}s.ACTION-initializeUpload.{caller.version_date}")
    number = sandbox.state.next_number(kind)
    urn = URN_PREFIX[kind] + "D4E10AQ" + linkedin_id(f"{sandbox.seed}:{kind}:{number}")
    upload_token = secrets.token_urlsafe(24)
    now = sandbox.clock.now()
    expires_at = now + UPLOAD_URL_LIFETIME_SECONDS
    sandbox.state.insert_media(
        urn=urn,
        kind=kind,
        owner=owner,
        upload_token=upload_token,
        status="WAITING_UPLOAD",
        upload_expires_at=expires_at,
        created_at=now,
    )
    host = request.environ.get("HTTP_HOST") or "127.0.0.1"
    scheme = request.environ.get("wsgi.url_scheme", "http")
    return json_response(
        200,
        {
            "value": {
                "uploadUrlExpiresAt": int(expires_at * 1000),
                "uploadUrl": f"{scheme}://{host}{UPLOAD_PREFIX}{upload_token}",
                kind: urn,
            }
        },
    )


def upload(sandbox: Sandbox, request: Request, caller: Caller) -> Response:
    """The PUT to an upload URL: checks the bytes as LinkedIn's processing would."""
    if request.method != "PUT":
        raise not_found(f"{request.method} {request.path}")
    media = sandbox.state.media_by_upload_token(request.path[len(UPLOAD_PREFIX) :])
    if media is None:
        raise not_found(request.path)
    if media["owner"] != caller.member_urn:
        raise sandbox.access_denied("dms-uploads.PUT")
    if sandbox.clock.now() > media["upload_expires_at"]:
        raise illegal_argument("The upload URL has expired; initialize the upload again.")
    check = _check_image if media["kind"] == "image" else _check_document
    problem, facts = check(request.body)
    if problem:
        sandbox.state.update_media(media["urn"], status="PROCESSING_FAILED")
        raise illegal_argument(problem)
    sandbox.state.update_media(media["urn"], status="AVAILABLE", size=len(request.body), **facts)
    return Response(201, b"", [("Content-Length", "0")])


def _check_image(data: bytes) -> tuple[str, dict]:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
    except Exception:  # anything Pillow cannot read is not an image
        return "The uploaded file is not a JPEG, PNG or GIF image.", {}
    if image_format not in IMAGE_FORMATS:
        return f"Unsupported image format {image_format}; use JPEG, PNG or GIF.", {}
    if width * height > IMAGE_MAX_PIXELS:
        return f"The image has {width * height} pixels; the limit is {IMAGE_MAX_PIXELS}.", {}
    if image_format == "GIF" and frames > GIF_MAX_FRAMES:
        return f"The GIF has {frames} frames; the limit is {GIF_MAX_FRAMES}.", {}
    return "", {"content_type": IMAGE_FORMATS[image_format]}


def _check_document(data: bytes) -> tuple[str, dict]:
    from pypdf import PdfReader

    if len(data) > DOCUMENT_MAX_BYTES:
        return f"The document is {len(data)} bytes; the limit is {DOCUMENT_MAX_BYTES}.", {}
    if not data.startswith(b"%PDF-"):
        return "The uploaded file is not a PDF document.", {}
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # a PDF pypdf cannot read, LinkedIn cannot either
        return "The PDF document could not be read.", {}
    if pages > DOCUMENT_MAX_PAGES:
        return f"The document has {pages} pages; the limit is {DOCUMENT_MAX_PAGES}.", {}
    return "", {"content_type": "application/pdf", "pages": pages}


def get_media(sandbox: Sandbox, request: Request, caller: Caller, kind: str, urn: str) -> Response:
    media = sandbox.state.media(urn)
    if media is None or media["kind"] != kind:
        raise not_found(urn)
    if media["owner"] != caller.member_urn:
        raise ApiError(403, {"message": f"member is unauthorized on {urn}", "status": 403})
    resource = {"id": urn, "owner": media["owner"], "status": media["status"]}
    if media["status"] == "AVAILABLE":
        resource["downloadUrl"] = f"https://media.sandbox.invalid/{urn}"
        if kind == "document":
            resource["pageCount"] = media["pages"]
    return json_response(200, resource)


def check_post_content(sandbox: Sandbox, author: str, content) -> None:
    """422 unless every asset a post names exists, is the author's and is AVAILABLE."""
    if content is None:
        return
    if not isinstance(content, dict):
        raise unprocessable("ERROR :: /content :: not a record\n")
    if "media" in content:
        media = content["media"] or {}
        urn = media.get("id") or ""
        kind = "document" if urn.startswith(URN_PREFIX["document"]) else "image"
        if kind == "document" and not media.get("title"):
            raise unprocessable("ERROR :: /content/media/title :: a document needs a title\n")
        _available(sandbox, author, urn, "/content/media/id")
    elif "multiImage" in content:
        images = (content["multiImage"] or {}).get("images") or []
        if not MULTI_IMAGE_MIN <= len(images) <= MULTI_IMAGE_MAX:
            raise unprocessable(
                f"ERROR :: /content/multiImage/images :: {len(images)} images; a multi-image "
                f"post has {MULTI_IMAGE_MIN} to {MULTI_IMAGE_MAX}\n"
            )
        for index, image in enumerate(images):
            urn = (image or {}).get("id") or ""
            if not urn.startswith(URN_PREFIX["image"]):
                raise unprocessable(
                    f"ERROR :: /content/multiImage/images/{index} :: not an image\n"
                )
            _available(sandbox, author, urn, f"/content/multiImage/images/{index}/id")
    else:
        raise unprocessable("ERROR :: /content :: unsupported content type\n")


def _available(sandbox: Sandbox, author: str, urn: str, where: str) -> None:
    media = sandbox.state.media(urn)
    if media is None or media["owner"] != author:
        raise unprocessable(f"ERROR :: {where} :: {urn} does not exist or is not the author's\n")
    if media["status"] != "AVAILABLE":
        raise unprocessable(f"ERROR :: {where} :: {urn} is {media['status']}, not AVAILABLE\n")
