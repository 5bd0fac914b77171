"""The only code that talks to LinkedIn (contract: ../shared/linkedin-api.md).

`LinkedInClient` speaks to the OAuth host and the API host named in settings: the sandbox in
development and tests, LinkedIn in production. Every call has a timeout, and every failure
becomes one of the typed errors below; `is_retryable()` is the one place that says which of
them may simply be tried again.

Tokens never appear in logs or error messages: they travel only in the Authorization header
and in form bodies, and the token-carrying objects leave them out of their repr.
"""

import datetime as dt
import email.utils
import functools
import logging
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

logger = logging.getLogger(__name__)

# Little text (contract §3.3): these characters must be backslash-escaped in a post's
# commentary, or LinkedIn silently cuts the post at the first one.
RESERVED_CHARACTERS = frozenset("\\|{}@[]()<>#*_~")
# A mention LinkedIn links to the person or page. Names with reserved characters are not
# mentions here: they are escaped like any other text, so they can never truncate a post.
MENTION = re.compile(
    r"@\[[^\\|{}@\[\]()<>#*_~\n]+\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]+\)"
)
COMMENTARY_MAX_LENGTH = 3000
POST_URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")
TOKEN_ERROR_CODES = {
    65600: "INVALID_ACCESS_TOKEN",
    65601: "REVOKED_ACCESS_TOKEN",
    65602: "EXPIRED_ACCESS_TOKEN",
}
# Token endpoint answers meaning the grant itself is dead: the member must connect again.
DEAD_GRANT_ERRORS = frozenset({"invalid_grant", "invalid_request"})


class LinkedInError(Exception):
    """Anything that went wrong talking to LinkedIn."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code


class LinkedInAuthError(LinkedInError):
    """401: the token is missing, invalid, revoked or expired (`code` says which)."""


class LinkedInPermissionError(LinkedInError):
    """403: the token lacks a scope (e.g. `r_member_social`) or the member lacks access."""


class LinkedInRateLimited(LinkedInError):
    """429: a daily limit or a throttle; `retry_after` is seconds to wait, when LinkedIn says.

    LinkedIn's quotas are per app and per member per 24 hours and reset at midnight UTC
    (DOC RATE); `Retry-After` is not documented, so without one it may be the next midnight.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, daily: bool = False, **kwargs
    ):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
        # serviceErrorCode 101, "Resource level throttle limit ... is reached": the daily
        # quota, which only midnight UTC restores; other 429s are short throttles.
        self.daily = daily


def next_quota_reset(now: dt.datetime) -> dt.datetime:
    """The next midnight UTC after `now`, when LinkedIn's daily quotas start again."""
    day = now.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), dt.UTC)


class LinkedInTransientError(LinkedInError):
    """A 5xx, or a request that never reached LinkedIn: nothing happened, try again later."""


class LinkedInUnknownOutcome(LinkedInError):
    """A create was sent but no answer came back (a timeout, a dropped connection, or a 502,
    503 or 504 from a gateway that may have passed it on): the post may or may not exist.

    Never retry blindly; look for the post (find_posts_by_author) or ask the user.
    """


class LinkedInValidationError(LinkedInError):
    """A request LinkedIn will never accept as it is (other 4xx, 422)."""


class LinkedInNotFound(LinkedInValidationError):
    """404: the post or comment does not exist (or was deleted)."""


class LinkedInDuplicateError(LinkedInError):
    """422 DUPLICATE_POST: the same text was published recently, as `existing_urn`.

    The URN may belong to a post that has since been deleted (LinkedIn's ghost duplicates).
    """

    def __init__(self, message: str, *, existing_urn: str | None, **kwargs):
        super().__init__(message, **kwargs)
        self.existing_urn = existing_urn


class LinkedInVersionSunset(LinkedInError):
    """426: the LinkedIn-Version we send is no longer served; update LINKEDIN_API_VERSION."""


class LinkedInOAuthError(LinkedInError):
    """The token endpoint refused (`error` is LinkedIn's code) or could not be reached.

    `transient` errors (5xx, network) say nothing about the grant: keep the tokens and try
    later. `needs_reauthorization` errors mean the code or refresh token is dead.
    """

    def __init__(self, message: str, *, error: str, transient: bool = False, **kwargs):
        super().__init__(message, code=error, **kwargs)
        self.error = error
        self.transient = transient

    @property
    def needs_reauthorization(self) -> bool:
        return not self.transient and self.error in DEAD_GRANT_ERRORS


def is_retryable(error: Exception) -> bool:
    """Whether trying the same call again later is safe and may succeed.

    An unknown outcome is deliberately not retryable: the post may already exist.
    """
    if isinstance(error, LinkedInTransientError | LinkedInRateLimited):
        return True
    if isinstance(error, LinkedInOAuthError):
        return error.transient
    return False


def escape_little_text(text: str) -> str:
    """`text` as little text: every reserved character and backslash escaped, mentions kept.

    One pass of a regular expression, not a Python loop over the characters: a quarter of
    the CPU (2,600 characters: 0.16 ms that way, 0.04 ms this way), on every post sent."""
    return _RESERVED_OR_MENTION.sub(_escaped, text)


# At each place a mention is tried first, so its brackets stay as LinkedIn reads them.
_RESERVED_OR_MENTION = re.compile(
    f"{MENTION.pattern}|[{re.escape(''.join(sorted(RESERVED_CHARACTERS)))}]"
)


def _escaped(match: re.Match) -> str:
    found = match.group()
    return found if len(found) > 1 else "\\" + found


def parse_scopes(raw: str | None) -> list[str]:
    """Scopes from LinkedIn's comma-separated answer, or a space-separated string."""
    scopes: list[str] = []
    for scope in (raw or "").replace(",", " ").split():
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def person_urn(sub: str) -> str:
    return f"urn:li:person:{sub}"


@dataclass(frozen=True)
class TokenGrant:
    """A token endpoint answer. An empty refresh token is None, never an empty string."""

    access_token: str = field(repr=False)
    expires_in: int
    scopes: list[str]
    refresh_token: str | None = field(default=None, repr=False)
    refresh_token_expires_in: int | None = None
    id_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_answer(cls, data: dict) -> "TokenGrant":
        refresh_expires_in = data.get("refresh_token_expires_in")
        return cls(
            access_token=data["access_token"],
            expires_in=int(data.get("expires_in") or 0),
            scopes=parse_scopes(data.get("scope")),
            refresh_token=data.get("refresh_token") or None,
            refresh_token_expires_in=int(refresh_expires_in) if refresh_expires_in else None,
            id_token=data.get("id_token") or None,
        )


MEDIA_KINDS = frozenset({"image", "document"})
MULTI_IMAGE_MAX = 20


@dataclass(frozen=True)
class MediaUpload:
    urn: str
    upload_url: str = field(repr=False)


def image_content(urn: str, alt_text: str = "") -> dict:
    """A post's `content` for one image (DOC POSTS, "Image post")."""
    return {"media": {"id": urn, "altText": alt_text}}


def multi_image_content(images: list[tuple[str, str]]) -> dict:
    """A post's `content` for 2 to 20 images, as (URN, alt text) pairs, in order."""
    if not 2 <= len(images) <= MULTI_IMAGE_MAX:
        raise LinkedInValidationError(
            f"A multi-image post has 2 to {MULTI_IMAGE_MAX} images, not {len(images)}."
        )
    return {"multiImage": {"images": [{"id": urn, "altText": alt} for urn, alt in images]}}


def document_content(urn: str, title: str) -> dict:
    """A post's `content` for one document (a PDF carousel); LinkedIn requires a title."""
    return {"media": {"id": urn, "title": title}}


_pool_lock = threading.Lock()
_pool: tuple[int, HTTPAdapter] | None = None


def _connection_pool() -> HTTPAdapter:
    """The connections to LinkedIn this process keeps open, shared by every client.

    A worker publishing post after post for many workspaces makes a client for each, and
    each used to open its own connection (a TCP and TLS handshake with LinkedIn per call)
    and build its own pool. What is shared is only the connections: each client keeps its
    own session, so its headers and any cookies LinkedIn sets stay with the member they
    came from. A forked process (a Celery worker's children) opens its own: a socket
    inherited from the parent would be shared by both. urllib3 looks at a kept connection
    before reusing it and opens a new one when LinkedIn has closed it."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), HTTPAdapter())
        return _pool[1]


@functools.lru_cache(maxsize=32)
def _environment_settings(origin: str) -> tuple[tuple[tuple[str, str], ...], bool | str]:
    """The proxies and the certificate check requests takes from the environment for calls
    to `origin` (scheme://host:port): HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE and the
    like, as a session that trusts the environment would use them. A worker's environment
    does not change while it runs."""
    found = requests.Session().merge_environment_settings(origin, {}, None, None, None)
    return tuple(found["proxies"].items()), found["verify"]


def _environment_for(url: str) -> dict:
    """`_environment_settings` for `url`'s origin, as requests' `proxies` and `verify`."""
    parts = urlsplit(url)
    proxies, verify = _environment_settings(f"{parts.scheme}://{parts.netloc}")
    return {"proxies": dict(proxies), "verify": verify}


class LinkedInClient:
    """One member's (or no member's) conversation with LinkedIn.

    `activation_grace_seconds`: LinkedIn sometimes rejects a brand-new token as revoked for a
    few seconds (contract §1.6). Right after an exchange or refresh, pass e.g. 10 and calls
    answered REVOKED_ACCESS_TOKEN are retried until that many seconds have passed.
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        oauth_base: str | None = None,
        api_base: str | None = None,
        version: str | None = None,
        timeout: float | None = None,
        activation_grace_seconds: float = 0.0,
    ) -> None:
        self._access_token = access_token
        self.oauth_base = (oauth_base or settings.LINKEDIN_OAUTH_BASE).rstrip("/")
        self.api_base = (api_base or settings.LINKEDIN_API_BASE).rstrip("/")
        # An empty version sends no LinkedIn-Version header at all (LinkedIn answers 400).
        self.version = settings.LINKEDIN_API_VERSION if version is None else version
        self.timeout = timeout or settings.LINKEDIN_TIMEOUT_SECONDS
        self.activation_grace_seconds = activation_grace_seconds
        self.client_id = settings.LINKEDIN_CLIENT_ID
        self._client_secret = settings.LINKEDIN_CLIENT_SECRET
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "techlead-autopilot"
        # The environment's proxies and CA bundle are read once per process and LinkedIn
        # host (`_environment_for`), not by requests on every call (some 0.15 ms a call:
        # it walks the whole environment twice). No netrc either: the token is the auth.
        self.session.trust_env = False
        pool = _connection_pool()
        self.session.mount("https://", pool)
        self.session.mount("http://", pool)

        # Uploads carry up to 100 MB; they get longer than an API call's timeout.
        self.upload_timeout = max(self.timeout, 60.0)

    def __repr__(self) -> str:
        return f"<LinkedInClient {self.api_base} version={self.version}>"

    # OAuth

    def authorization_url(self, state: str, redirect_uri: str, scopes) -> str:
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": " ".join(scopes),
            },
            quote_via=quote,
        )
        return f"{self.oauth_base}/authorization?{query}"

    def exchange_code(self, code: str, redirect_uri: str) -> TokenGrant:
        answer = self._token_endpoint(
            "/accessToken",
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        )
        return TokenGrant.from_answer(answer)

    def refresh(self, refresh_token: str) -> TokenGrant:
        answer = self._token_endpoint(
            "/accessToken", {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )
        return TokenGrant.from_answer(answer)

    def introspect(self, token: str) -> dict:
        return self._token_endpoint("/introspectToken", {"token": token})

    def _token_endpoint(self, path: str, form: dict[str, str]) -> dict:
        form = {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        try:
            url = f"{self.oauth_base}{path}"
            response = self.session.post(
                url, data=form, timeout=self.timeout, **_environment_for(url)
            )
        except requests.RequestException as error:
            logger.warning("LinkedIn POST oauth%s failed: %s", path, type(error).__name__)
            raise LinkedInOAuthError(
                f"LinkedIn's token endpoint could not be reached ({type(error).__name__})",
                error="temporarily_unavailable",
                transient=True,
            ) from error
        logger.info("LinkedIn POST oauth%s -> %s", path, response.status_code)
        if response.status_code == 429:
            raise _rate_limited(response, f"POST oauth{path}")
        data = _json_or_empty(response)
        if response.status_code >= 500:
            raise LinkedInOAuthError(
                f"LinkedIn's token endpoint answered {response.status_code}",
                error=data.get("error") or "server_error",
                transient=True,
                status=response.status_code,
            )
        if response.status_code >= 400:
            error = data.get("error") or "invalid_request"
            description = data.get("error_description") or data.get("message") or ""
            raise LinkedInOAuthError(
                f"LinkedIn refused the token request: {error}: {description}",
                error=error,
                status=response.status_code,
            )
        return data

    # Identity

    def userinfo(self) -> dict:
        """The OIDC profile (`sub`, `name`, `picture`, `email` with the scopes for them)."""
        return self._call("GET", "/v2/userinfo", versioned=False).json()

    # Posts

    def create_post(
        self,
        author_urn: str,
        commentary: str,
        visibility: str = "PUBLIC",
        *,
        content: dict | None = None,
    ) -> str:
        """Publish a post and return its URN (`urn:li:share:...` or `urn:li:ugcPost:...`).

        `commentary` is what the member wrote; it is escaped here so that LinkedIn publishes
        exactly that. `content` names uploaded media (`image_content`, `multi_image_content`,
        `document_content`). Raises LinkedInValidationError before any call when the escaped
        text is over LinkedIn's limit, and LinkedInUnknownOutcome when the answer was lost.
        """
        if not commentary.strip():
            raise LinkedInValidationError("A post needs some text.")
        escaped = escape_little_text(commentary)
        if len(escaped) > COMMENTARY_MAX_LENGTH:
            raise LinkedInValidationError(
                f"The post is {len(escaped)} characters long once LinkedIn's special characters "
                f"are escaped; LinkedIn allows {COMMENTARY_MAX_LENGTH}. "
                f"Shorten it by {len(escaped) - COMMENTARY_MAX_LENGTH} characters."
            )
        body = {
            "author": author_urn,
            "commentary": escaped,
            "visibility": visibility,
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if content:
            body["content"] = content
        response = self._call("POST", "/rest/posts", json_body=body, creates=True)
        urn = response.headers.get("x-restli-id") or _json_or_empty(response).get("id")
        if not urn or not POST_URN.fullmatch(urn):
            raise LinkedInUnknownOutcome(
                f"LinkedIn accepted the post but named no post URN (got {urn!r})",
                status=response.status_code,
            )
        return urn

    def get_post(self, urn: str) -> dict:
        return self._call("GET", f"/rest/posts/{quote(urn, safe='')}").json()

    def delete_post(self, urn: str) -> None:
        """Delete a post; LinkedIn answers 204 for a post that is already deleted too."""
        self._call("DELETE", f"/rest/posts/{quote(urn, safe='')}")

    def find_posts_by_author(self, author_urn: str, *, start: int = 0, count: int = 10) -> dict:
        """A page of the author's posts, newest first, in LinkedIn's collection shape."""
        query = f"q=author&author={quote(author_urn, safe='')}&start={start}&count={count}"
        return self._call("GET", "/rest/posts", query=query).json()

    # Images and documents (linkedin-api.md, "Images and documents"; DOC Images API,
    # Documents API). An upload creates nothing anybody sees: an asset no post names is
    # simply never shown, so a lost answer here is safe to retry, unlike a post create.

    def initialize_upload(self, kind: str, owner_urn: str) -> MediaUpload:
        """Ask for an upload URL for one image or document (`kind`: "image" or "document")."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"kind must be one of {sorted(MEDIA_KINDS)}")
        response = self._call(
            "POST",
            f"/rest/{kind}s",
            query="action=initializeUpload",
            json_body={"initializeUploadRequest": {"owner": owner_urn}},
        )
        value = _json_or_empty(response).get("value") or {}
        urn, upload_url = value.get(kind), value.get("uploadUrl")
        if not urn or not upload_url:
            raise LinkedInTransientError(
                f"LinkedIn's initializeUpload for a {kind} named no URN or upload URL"
            )
        return MediaUpload(urn=urn, upload_url=upload_url)

    def upload_bytes(self, upload_url: str, data: bytes) -> None:
        """PUT the bytes to an upload URL from `initialize_upload` (with the member's token)."""
        headers = {"Content-Type": "application/octet-stream"}
        if self._access_token:
            headers["Authorization"] = f"Bearer {self._access_token}"
        try:
            response = self.session.put(
                upload_url,
                data=data,
                headers=headers,
                timeout=self.upload_timeout,
                **_environment_for(upload_url),
            )
        except requests.RequestException as error:
            logger.warning("LinkedIn PUT upload failed: %s", type(error).__name__)
            raise _network_error(error, "PUT", "upload", False) from error
        logger.info("LinkedIn PUT upload (%d bytes) -> %s", len(data), response.status_code)
        if response.status_code >= 400:
            raise _api_error(response, "PUT", "upload", False)

    def media_status(self, urn: str) -> str:
        """WAITING_UPLOAD, PROCESSING, AVAILABLE or PROCESSING_FAILED."""
        kind = "documents" if urn.startswith("urn:li:document:") else "images"
        answer = self._call("GET", f"/rest/{kind}/{quote(urn, safe='')}").json()
        return str(answer.get("status") or "")

    def upload_media(self, kind: str, owner_urn: str, data: bytes) -> str:
        """Initialize, upload and confirm one image or document; returns its URN."""
        upload = self.initialize_upload(kind, owner_urn)
        self.upload_bytes(upload.upload_url, data)
        return upload.urn

    # Comments and engagement

    def list_comments(self, post_urn: str, start: int = 0, count: int = 10) -> dict:
        """A page of comments (`paging`, `elements`); needs `r_member_social`."""
        path = f"/rest/socialActions/{quote(post_urn, safe='')}/comments"
        return self._call("GET", path, query=f"start={start}&count={count}").json()

    def create_comment(
        self, post_urn: str, actor_urn: str, text: str, *, parent_comment_urn: str | None = None
    ) -> dict:
        """Comment on a post, or reply under a top-level comment (`parent_comment_urn`).

        A reply is a nested comment (DOC COMMENTS): POST to the encoded comment URN with the
        post as `object` and the comment as `parentComment`. Comment text is plain text, so
        it is sent as written.
        """
        body = {"actor": actor_urn, "object": post_urn, "message": {"text": text}}
        target = post_urn
        if parent_comment_urn:
            body["parentComment"] = parent_comment_urn
            target = parent_comment_urn
        path = f"/rest/socialActions/{quote(target, safe='')}/comments"
        response = self._call("POST", path, json_body=body, creates=True)
        return _json_or_empty(response) or {"id": response.headers.get("x-restli-id")}

    def social_metadata(self, urn: str) -> dict:
        return self._call("GET", f"/rest/socialMetadata/{quote(urn, safe='')}").json()

    def member_post_analytics(
        self,
        *,
        post_urn: str | None = None,
        metric: str = "IMPRESSION",
        aggregation: str = "TOTAL",
        start: dt.date | None = None,
        end: dt.date | None = None,
    ) -> dict:
        """One metric for one post, or for all the member's posts when `post_urn` is None.

        `start` is inclusive and `end` exclusive; both or neither.
        """
        if post_urn is None:
            query = "q=me"
        else:
            kind = "ugc" if post_urn.startswith("urn:li:ugcPost:") else "share"
            query = f"q=entity&entity=({kind}:{quote(post_urn, safe='')})"
        query += f"&queryType={metric}&aggregation={aggregation}"
        if start is not None and end is not None:
            query += f"&dateRange=(start:{_restli_date(start)},end:{_restli_date(end)})"
        return self._call("GET", "/rest/memberCreatorPostAnalytics", query=query).json()

    # Plumbing

    def _call(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        json_body: dict | None = None,
        versioned: bool = True,
        creates: bool = False,
    ) -> requests.Response:
        """Send one API request; `creates` marks calls that must never be repeated blindly."""
        give_up_at = time.monotonic() + self.activation_grace_seconds
        while True:
            try:
                return self._send(method, path, query, json_body, versioned, creates)
            except LinkedInAuthError as error:
                fresh_token_lag = error.code == "REVOKED_ACCESS_TOKEN"
                if not fresh_token_lag or time.monotonic() >= give_up_at:
                    raise
                time.sleep(0.25)

    def _send(self, method, path, query, json_body, versioned, creates) -> requests.Response:
        url = f"{self.api_base}{path}" + (f"?{query}" if query else "")
        headers = {"X-Restli-Protocol-Version": "2.0.0"}
        if versioned and self.version:
            headers["LinkedIn-Version"] = self.version
        if self._access_token:
            headers["Authorization"] = f"Bearer {self._access_token}"
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                json=json_body,
                timeout=self.timeout,
                **_environment_for(url),
            )
        except requests.RequestException as error:
            logger.warning("LinkedIn %s %s failed: %s", method, path, type(error).__name__)
            raise _network_error(error, method, path, creates) from error
        logger.info(
            "LinkedIn %s %s -> %s in %.0f ms",
            method,
            path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        if response.status_code >= 400:
            raise _api_error(response, method, path, creates)
        return response


def _restli_date(day: dt.date) -> str:
    return f"(day:{day.day},month:{day.month},year:{day.year})"


def _json_or_empty(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _never_reached_linkedin(error: BaseException) -> bool:
    """Whether the connection failed before any byte of the request was sent."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        refused = (NewConnectionError, NameResolutionError, ConnectionRefusedError, socket.gaierror)
        if isinstance(current, refused):
            return True
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


def _network_error(error: requests.RequestException, method, path, creates) -> LinkedInError:
    what = f"LinkedIn {method} {path}"
    if _never_reached_linkedin(error):
        return LinkedInTransientError(f"{what}: could not connect ({type(error).__name__})")
    if creates:
        return LinkedInUnknownOutcome(
            f"{what}: sent, but no answer came back ({type(error).__name__}); "
            "it may have been created"
        )
    return LinkedInTransientError(f"{what}: no answer ({type(error).__name__})")


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


DAILY_LIMIT_SERVICE_ERROR = 101


def _rate_limited(response: requests.Response, what: str) -> LinkedInRateLimited:
    retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
    daily = _json_or_empty(response).get("serviceErrorCode") == DAILY_LIMIT_SERVICE_ERROR
    return LinkedInRateLimited(
        f"LinkedIn {what}: {'daily limit reached' if daily else 'rate limited'} "
        f"(retry after {retry_after} s)",
        retry_after=retry_after,
        daily=daily,
        status=429,
    )


def _api_error(response: requests.Response, method, path, creates) -> LinkedInError:
    status = response.status_code
    data = _json_or_empty(response)
    message = data.get("message") or response.reason or ""
    code = data.get("code")
    if status == 401 and not code:
        code = TOKEN_ERROR_CODES.get(data.get("serviceErrorCode"), "UNAUTHORIZED")
    what = f"LinkedIn {method} {path} answered {status}"
    described = f"{what} {code or ''}: {message}".replace("  ", " ")
    input_errors = (data.get("errorDetails") or {}).get("inputErrors") or []
    if status == 422 and any(error.get("code") == "DUPLICATE_POST" for error in input_errors):
        existing = re.search(r"urn:li:\w+:\d+", message)
        return LinkedInDuplicateError(
            described,
            existing_urn=existing.group() if existing else None,
            status=status,
            code="DUPLICATE_POST",
        )
    if status == 401:
        return LinkedInAuthError(described, status=status, code=code)
    if status == 403:
        return LinkedInPermissionError(described, status=status, code=code or "ACCESS_DENIED")
    if status == 404:
        return LinkedInNotFound(described, status=status, code=code)
    if status == 426:
        return LinkedInVersionSunset(described, status=status, code=code)
    if status == 429:
        return _rate_limited(response, f"{method} {path}")
    if status in (502, 503, 504) and creates:
        # A gateway error says nothing about whether LinkedIn behind it took the create.
        return LinkedInUnknownOutcome(f"{what}: it may have been created", status=status)
    if status >= 500:
        return LinkedInTransientError(described, status=status, code=code)
    return LinkedInValidationError(described, status=status, code=code)
