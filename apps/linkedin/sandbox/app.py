"""The sandbox as a WSGI application: the gateway rules, routing, faults and a Python API.

`Sandbox` is both the WSGI app (call it with environ, start_response) and the handle tests
use to look inside and to steer it: `faults`, `clock`, `issue_token()`, `post()`,
`comments()`, `advance_audience()`.
"""

import datetime as dt
import json
import re
import secrets
import time
from pathlib import Path

from . import media, oauth, rest, versions
from .audience import AudiencePlan, person_by_sub
from .clock import Clock
from .config import SandboxConfig
from .faults import Faults
from .rest import Caller, linkedin_id
from .state import SandboxState
from .web import ApiError, Request, Response, json_response

VERSION = re.compile(r"(\d{6})(?:\.\d{2})?")
POST_PATH = re.compile(r"/rest/posts/(?P<urn>.+)")
COMMENTS_PATH = re.compile(r"/rest/socialActions/(?P<urn>.+)/comments")
SOCIAL_METADATA_PATH = re.compile(r"/rest/socialMetadata/(?P<urn>.+)")
MEDIA_PATH = re.compile(r"/rest/(?P<kind>images|documents)/(?P<urn>.+)")
DEFAULT_TOKEN_SCOPES = ("openid", "profile", "email", "w_member_social")


class Sandbox:
    def __init__(
        self,
        db_path: str | Path = ":memory:",
        *,
        seed: int = 0,
        config: SandboxConfig | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config or SandboxConfig()
        self.seed = seed
        self.clock = clock or Clock()
        self.state = SandboxState(db_path)
        self.faults = Faults()

    # WSGI

    def __call__(self, environ, start_response):
        request = Request.from_environ(environ)
        if request.path.startswith("/_sandbox/"):
            response = self._guarded(self._control, request)
        elif (failure := self.faults.take_failure(request.path)) is not None:
            response = _failure_response(failure)
        else:
            response = self._guarded(self._route, request)
            if delay := self.faults.take_delay(request.path):
                time.sleep(delay)
            created_post = request.path == "/rest/posts" and response.status == 201
            if created_post and self.faults.take_drop(request.path):
                self._drop_connection(environ)
        start_response(response.status_line, response.headers)
        return [response.body]

    def _guarded(self, handler, request: Request) -> Response:
        with self.state.lock:
            try:
                return handler(request)
            except ApiError as error:
                return error.response

    @staticmethod
    def _drop_connection(environ) -> None:
        """Close the socket without a word, after the post was stored.

        The server puts a `sandbox.drop_connection` callable in the environ; wsgiref treats
        ConnectionAbortedError from the app as a client that went away and sends nothing.
        """
        drop = environ.get("sandbox.drop_connection")
        if drop is not None:
            drop()
        raise ConnectionAbortedError("sandbox dropped the connection after creating the post")

    def _route(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/oauth/v2/authorization" and method == "GET":
            return oauth.authorization_page(self, request)
        if path == "/oauth/v2/authorization" and method == "POST":
            return oauth.authorization_decision(self, request)
        if path == "/oauth/v2/accessToken" and method == "POST":
            return oauth.access_token(self, request)
        if path == "/oauth/v2/introspectToken" and method == "POST":
            return oauth.introspect(self, request)
        if path == "/v2/userinfo" and method == "GET":
            return oauth.userinfo(self, self._authenticate(request))
        if path == "/v2/me" and method == "GET":
            return oauth.me(self, self._authenticate(request))
        if path.startswith("/rest/"):
            return self._route_rest(request)
        if path.startswith(media.UPLOAD_PREFIX):
            # Upload URLs are unversioned and outside /rest, but need the member's token.
            return media.upload(self, request, Caller(self._authenticate(request), ""))
        raise rest.not_found(path)

    def _route_rest(self, request: Request) -> Response:
        version_date = self._check_version(request)
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            raise rest.illegal_argument("The X-Restli-Protocol-Version header must be 2.0.0")
        caller = Caller(self._authenticate(request), version_date)
        path, method = request.path, request.method
        if path == "/rest/posts" and method == "POST":
            return rest.create_post(self, request, caller)
        if path == "/rest/posts" and method == "GET":
            return rest.find_posts(self, request, caller)
        if match := POST_PATH.fullmatch(path):
            if method == "GET":
                return rest.get_post(self, request, caller, match["urn"])
            if method == "DELETE":
                return rest.delete_post(self, request, caller, match["urn"])
        if match := COMMENTS_PATH.fullmatch(path):
            if method == "GET":
                return rest.list_comments(self, request, caller, match["urn"])
            if method == "POST":
                return rest.create_comment(self, request, caller, match["urn"])
        if (match := SOCIAL_METADATA_PATH.fullmatch(path)) and method == "GET":
            return rest.social_metadata(self, request, caller, match["urn"])
        if path in ("/rest/images", "/rest/documents") and method == "POST":
            return media.initialize_upload(self, request, caller, media.KINDS[path[6:]])
        if (match := MEDIA_PATH.fullmatch(path)) and method == "GET":
            return media.get_media(self, request, caller, media.KINDS[match["kind"]], match["urn"])
        if path == "/rest/memberCreatorPostAnalytics" and method == "GET":
            return rest.member_post_analytics(self, request, caller)
        raise rest.not_found(f"{method} {path}")

    # Gateway rules

    def _check_version(self, request: Request) -> str:
        """The version as YYYYMMDD; 400 when missing, 426 when sunset or unknown."""
        version = request.headers.get("linkedin-version", "").strip()
        if not version:
            raise ApiError(
                400,
                {
                    "status": 400,
                    "code": "VERSION_MISSING",
                    "message": "A version must be present. Please specify a version by adding "
                    "the LinkedIn-Version header.",
                },
                [("X-Restli-Gateway-Error", "true")],
            )
        match = VERSION.fullmatch(version)
        month = match[1] if match else version
        # Live means released and not yet sunset on the sandbox's clock (DOC VER, MIG; the
        # table is in versions.py).
        today = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC).date()
        known = versions.find(month, self.config.versions) if match else None
        if known is None or not known.live_on(today):
            raise ApiError(
                426,
                {
                    "status": 426,
                    "code": "NONEXISTENT_VERSION",
                    "message": f"Requested version {month}01 is not active",
                },
            )
        return f"{month}01"

    def _authenticate(self, request: Request) -> dict:
        header = request.headers.get("authorization", "")
        token = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
        if not token:
            raise ApiError(
                401,
                {"message": "Empty oauth2_access_token", "serviceErrorCode": 401, "status": 401},
            )
        row = self.state.token(token)
        now = self.clock.now()
        if row is None or row["kind"] != "access":
            raise _token_error(65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
        if row["revoked"] or now < row["active_after"]:
            raise _token_error(
                65601,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            )
        if now >= row["expires_at"]:
            raise _token_error(
                65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"
            )
        self._count_call(row, now)
        return row

    def _count_call(self, token: dict, now: float) -> None:
        """Daily limits per member (per app) and per app, reset at midnight UTC."""
        today = dt.datetime.fromtimestamp(now, dt.UTC)
        day = today.date().isoformat()
        member_counter = f"member:{token['client_id']}:{token['member_sub']}"
        app_counter = f"app:{token['client_id']}"
        over_limit = (
            self.state.calls(day, member_counter) >= self.config.daily_member_limit
            or self.state.calls(day, app_counter) >= self.config.daily_app_limit
        )
        if over_limit:
            midnight = dt.datetime.combine(today.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
            retry_after = max(1, int(midnight.timestamp() - now))
            raise ApiError(
                429,
                {
                    "status": 429,
                    "serviceErrorCode": 101,
                    "message": "Resource level throttle limit for calls to this resource is "
                    "reached.",
                },
                [("Retry-After", str(retry_after))],
            )
        self.state.count_call(day, member_counter)
        self.state.count_call(day, app_counter)

    def app_approved_for(self, client_id: str, scope: str) -> bool:
        return scope in self.config.app_scopes(client_id)

    def access_denied(self, resource_method: str) -> ApiError:
        return ApiError(
            403,
            {
                "status": 403,
                "serviceErrorCode": 100,
                "code": "ACCESS_DENIED",
                "message": f"Not enough permissions to access: {resource_method}",
            },
        )

    # Tokens

    def store_token(self, *, kind: str, client_id: str, scopes, expires_at: float) -> str:
        """Store a new token for the configured member; new tokens feel the activation lag."""
        now = self.clock.now()
        token = ("AQV" if kind == "access" else "AQX") + secrets.token_urlsafe(96)
        self.state.save_token(
            token=token,
            kind=kind,
            client_id=client_id,
            member_sub=self.config.member.sub,
            scopes=list(scopes),
            authorized_at=now,
            created_at=now,
            expires_at=expires_at,
            active_after=now + self.faults.token_activation_lag_seconds,
        )
        return token

    def issue_token(
        self,
        scopes=DEFAULT_TOKEN_SCOPES,
        *,
        client_id: str | None = None,
        expires_in: float | None = None,
    ) -> str:
        """An access token for the configured member without the OAuth dance (tests, demos).

        Like LinkedIn, the sandbox never grants a scope the app is not approved for: asking
        for one raises ValueError (start the sandbox with `approved=True` for those).
        """
        client_id = client_id or self.config.apps[0].client_id
        unapproved = sorted(set(scopes) - self.config.app_scopes(client_id))
        if unapproved:
            raise ValueError(
                f"The app {client_id} is not approved for {', '.join(unapproved)}; "
                "start the sandbox in approved mode to issue such a token."
            )
        with self.state.lock:
            return self.store_token(
                kind="access",
                client_id=client_id,
                scopes=scopes,
                expires_at=self.clock.now() + (expires_in or self.config.access_token_seconds),
            )

    def revoke_token(self, token: str) -> None:
        self.state.revoke_token(token)

    def expire_token(self, token: str) -> None:
        self.state.expire_token(token, self.clock.now())

    # Posts, comments and the audience

    def post(self, urn: str) -> dict | None:
        """The stored post, deleted or not: `commentary` is what LinkedIn published."""
        row = self.state.post(urn)
        if row is None:
            return None
        return {
            "urn": row["urn"],
            "activity_urn": row["activity_urn"],
            "author": row["author"],
            "commentary": row["commentary"],
            "raw_commentary": row["raw_commentary"],
            "visibility": row["visibility"],
            "created_at": row["created_at"],
            "deleted": row["deleted_at"] is not None,
            "content": json.loads(row["body"] or "{}").get("content"),
        }

    def posts(self) -> list[dict]:
        return [self.post(row["urn"]) for row in self.state.published_posts()]

    def comments(self, post_urn: str) -> list[dict]:
        """Every comment on the post so far, audience ones with their `kind` and commenter."""
        with self.state.lock:
            post = self.state.post(post_urn)
            if post is None:
                return []
            self.advance_audience(post["urn"])
            comments = self.state.comments(post["urn"])
        for comment in comments:
            person = person_by_sub(comment["actor"].rsplit(":", 1)[-1])
            comment["name"] = person.name if person else None
            comment["headline"] = person.headline if person else None
        return comments

    def audience_plan(self, post_urn: str) -> AudiencePlan:
        post = self.state.post(post_urn)
        return AudiencePlan.for_post(self.seed, post["urn"] if post else post_urn)

    def audience_elapsed(self, post: dict, at: float | None = None) -> float:
        """Audience time since the post was published: sandbox time times the speed."""
        at = self.clock.now() if at is None else at
        return max(0.0, at - post["created_at"]) * self.config.audience_speed

    def advance_audience(self, post_urn: str | None = None) -> int:
        """Store the audience comments that have arrived by now; returns how many are new.

        Called on every read, so what a reader sees depends only on the seed and the clock.
        """
        with self.state.lock:
            if post_urn is None:
                posts = self.state.published_posts()
                return sum(self.advance_audience(row["urn"]) for row in posts)
            post = self.state.post(post_urn)
            if post is None or post["deleted_at"] is not None:
                return 0
            if post["lifecycle_state"] != "PUBLISHED":
                return 0
            before = self.state.comment_count(post["urn"])
            plan = self.audience_plan(post["urn"])
            for comment in plan.comments_by(self.audience_elapsed(post)):
                comment_id = linkedin_id(f"{self.seed}:{post['urn']}:comment:{comment.index}")
                self.state.insert_comment(
                    urn=f"urn:li:comment:({post['activity_urn']},{comment_id})",
                    id=comment_id,
                    post_urn=post["urn"],
                    actor=comment.person.urn,
                    text=comment.text,
                    created_at=post["created_at"]
                    + comment.offset_seconds / self.config.audience_speed,
                    kind=comment.kind,
                    audience_index=comment.index,
                )
            return self.state.comment_count(post["urn"]) - before

    def metric_at(self, post: dict, metric: str, at: float) -> int:
        """A post's cumulative count of `metric` at sandbox time `at`."""
        if at <= post["created_at"]:
            return 0
        plan = self.audience_plan(post["urn"])
        elapsed = self.audience_elapsed(post, at)
        if metric == "IMPRESSION":
            return plan.impressions_by(elapsed)
        if metric == "MEMBERS_REACHED":
            return plan.members_reached_by(elapsed)
        if metric == "REACTION":
            return sum(plan.reactions_by(elapsed).values())
        if metric == "RESHARE":
            return plan.reshares_by(elapsed)
        if metric == "COMMENT":
            own_comments = [
                c
                for c in self.state.comments(post["urn"])
                if c["audience_index"] is None and c["created_at"] <= at
            ]
            return len(plan.comments_by(elapsed)) + len(own_comments)
        return 0  # newer metrics (saves, sends, clicks...) stay at zero in the sandbox

    # Control endpoints for a sandbox running in another process

    def _control(self, request: Request) -> Response:
        path, method = request.path, request.method
        try:
            body = json.loads(request.body or b"{}") if method == "POST" else {}
        except ValueError:
            raise rest.illegal_argument("The control body must be JSON") from None
        if path == "/_sandbox/status" and method == "GET":
            return json_response(
                200,
                {
                    "seed": self.seed,
                    "now": self.clock.now(),
                    "partner": self.config.partner,
                    "approved": self.config.approved,
                },
            )
        if path == "/_sandbox/faults" and method == "POST":
            if "fail_next" in body:
                self.faults.fail_next(**body["fail_next"])
            if "delay_next" in body:
                self.faults.delay_next(**body["delay_next"])
            if "drop_connection_after_create" in body:
                self.faults.drop_connection_after_create(**body["drop_connection_after_create"])
            if "token_activation_lag" in body:
                self.faults.token_activation_lag(**body["token_activation_lag"])
            return Response(204)
        if path == "/_sandbox/faults" and method == "DELETE":
            self.faults.clear()
            return Response(204)
        if path == "/_sandbox/clock" and method == "POST":
            self.clock.advance(float(body.get("advance_seconds", 0)))
            return json_response(200, {"now": self.clock.now()})
        if path == "/_sandbox/tokens" and method == "POST":
            try:
                token = self.issue_token(body.get("scopes", DEFAULT_TOKEN_SCOPES))
            except ValueError as error:
                raise rest.illegal_argument(str(error)) from None
            return json_response(201, {"access_token": token})
        if path == "/_sandbox/posts" and method == "GET":
            return json_response(200, {"elements": self.posts()})
        if path.startswith("/_sandbox/posts/") and method == "GET":
            urn = path.removeprefix("/_sandbox/posts/")
            post = self.post(urn)
            if post is None:
                raise rest.not_found(urn)
            return json_response(200, {**post, "comments": self.comments(urn)})
        raise rest.not_found(path)

    def close(self) -> None:
        self.state.close()


def _token_error(service_error_code: int, code: str, message: str) -> ApiError:
    return ApiError(
        401,
        {"status": 401, "serviceErrorCode": service_error_code, "code": code, "message": message},
    )


def _failure_response(status: int) -> Response:
    if status == 429:
        # An injected 429 is LinkedIn's infrastructure protection (DOC RATE: "LinkedIn may
        # also send 429"), whose body is not documented [UNCONF]; the daily quota's own 429
        # (serviceErrorCode 101, Retry-After) comes from _count_call.
        return json_response(429, {"status": 429, "message": "Too many requests"})
    return json_response(status, {"message": "Internal Server Error", "status": status})
