"""A local LinkedIn for development, demos and tests (contract: ../shared/linkedin-api.md).

Start it in a test with `running_sandbox()` (a server on a free loopback port, fresh state),
or as its own process with `python manage.py linkedin_sandbox --port 8765`. The `Sandbox`
object is the WSGI app and the handle for steering it; see `app.py`.

Choices made where the contract marks a behaviour [UNCONF]:

- Registered app: client_id "sandbox-client", secret "sandbox-secret", name "TechLead
  AutoPilot (sandbox)". Any http(s) redirect_uri on 127.0.0.1, localhost or ::1 is accepted
  (no fragment); pass `RegisteredApp(redirect_uris=(...))` for exact-match registration.
- Authorization: an unknown client_id or a redirect_uri that is not allowed shows an HTML
  error page (400) and never redirects. A wrong response_type redirects with
  `unsupported_response_type`, a missing scope with `invalid_request`, a scope LinkedIn does
  not know or the app is not approved for with `unauthorized_scope_error` (and its
  description and the state), as LinkedIn does. Cancel on the consent screen redirects with
  `error=user_cancelled_authorize`. Scopes may be space- or comma-separated.
- Self-serve by default: an app has `openid profile email w_member_social` only, like every
  new LinkedIn app. Comment reading, the posts finder, social metadata and member analytics
  answer 403 ACCESS_DENIED. `SandboxConfig(approved=True)` (`linkedin_sandbox --approved`)
  or `RegisteredApp(approved=True)` makes an app approved for every scope. `issue_token()`
  refuses scopes the app is not approved for. A member who already granted the same scopes
  skips the consent screen (`remember_consent`).
- Authorization codes live 30 minutes and work once; a bad, used or expired code gets 400
  `invalid_request` with the contract's description; a redirect_uri different from the
  authorization request's gets 400 `invalid_redirect_uri`. Wrong client credentials get
  401 `invalid_client`.
- Refresh tokens exist only when `partner=True`. They are not rotated; a bad, expired or
  revoked one gets 400 `invalid_grant`. Refresh tokens live 365 days (31535999 s). The
  refresh answer has no `scope`.
- The ID token is signed HS256 with the client secret (LinkedIn signs RS256 with keys from
  its JWKS); claims follow the contract, including `email_verified: "true"` as a string.
- Introspection of an unknown token answers `{"active": false}`; of an expired or revoked
  one the usual body with `active: false` and `status` "expired" or "revoked".
- `/rest` without `X-Restli-Protocol-Version: 2.0.0` gets 400 ILLEGAL_ARGUMENT. A version that
  is malformed, not in LinkedIn's version table (versions.py), not yet released or sunset on
  the sandbox's clock gets 426 NONEXISTENT_VERSION, echoed as YYYYMM01.
- Check order: version, protocol, token (missing, invalid, revoked, expired), daily limits,
  then the resource's own checks (body shape, scope, ownership, length, duplicates).
- Images and documents (media.py): initializeUpload, a PUT of the bytes to the upload URL
  (with the member's token; valid one hour), status read back; JPEG/PNG/GIF up to 36,152,320
  pixels and PDF up to 100 MB and 300 pages, anything else 400 and PROCESSING_FAILED. A post
  whose `content` names media that is missing, another member's or not AVAILABLE gets 422.
- Posts: text, image, multi-image (2 to 20) and document posts. `commentary` is required;
  over 3000 characters (code points, as sent, i.e. escaped) gets 422. New posts are
  `urn:li:share:<19 digits>` (configurable `created_post_kind="ugcPost"`); each post also
  has an activity URN, and URNs of either kind find the post. GET returns the *published*
  commentary (escapes removed, mentions and hashtags as written). DELETE answers 204, also
  for a post already deleted; GET of a deleted post and DELETE of a post that never existed
  404.
- Little text (see littletext.py): unescaped `#tag` is a hashtag and `@[Name](urn:li:...)`
  a mention, both kept; any other unescaped reserved character silently ends the post.
- Duplicates: the same author publishing the same published text within 48 h gets 422
  DUPLICATE_POST naming the earlier URN, even if that post was deleted (ghost duplicates).
- Comments: default page size 10, maximum 100, oldest first; `object` is the post's
  activity URN; create answers 201 with `x-restli-id: <comment id>` and the comment as the
  body; comment text over 1250 characters gets 422; `object` is required (422 without it,
  400 when it names another post). Replies are nested comments: POST to
  `/rest/socialActions/{comment URN}/comments` with `parentComment` naming that top-level
  comment; a reply to a reply gets 422. The post's list shows top-level comments, the
  comment's list its replies. Reading comments, metadata or posts of
  another member's post gets 403 "member is unauthorized on ...".
- Daily limits count accepted calls per member per app and per app, per UTC day of the
  sandbox clock; over the limit: 429 with serviceErrorCode 101 and `Retry-After` set to the
  seconds until midnight UTC.
- Analytics: `q=entity` (union `(share:...)` or `(ugc:...)`) or `q=me`; TOTAL without a
  dateRange counts everything so far and has no dateRange in the element; DAILY without a
  dateRange covers publication day to today; metrics newer than the five classic ones are 0.
- The audience: comments, reactions, reshares and impressions follow a plan drawn from the
  seed and the post URN (audience.py); they accrue with sandbox time times `audience_speed`.
"""

from .app import Sandbox
from .audience import CAST, AudiencePlan
from .clock import Clock
from .config import Member, RegisteredApp, SandboxConfig
from .server import RunningSandbox, running_sandbox, serve

__all__ = [
    "CAST",
    "AudiencePlan",
    "Clock",
    "Member",
    "RegisteredApp",
    "RunningSandbox",
    "Sandbox",
    "SandboxConfig",
    "running_sandbox",
    "serve",
]
