"""OAuth 2.0 three-legged flow, introspection and the OIDC userinfo (contract §1, §2)."""

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .config import AUTHORIZATION_CODE_SECONDS, KNOWN_SCOPES, RegisteredApp
from .pages import consent_page, error_page
from .web import ApiError, Request, Response, html_response, json_response, redirect_response

if TYPE_CHECKING:
    from .app import Sandbox

INVALID_CODE_MESSAGE = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def parse_scopes(raw: str) -> list[str]:
    """Scopes in request order, space- or comma-separated, without repeats."""
    scopes: list[str] = []
    for scope in raw.replace(",", " ").split():
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


@dataclass
class AuthorizationRequest:
    app: RegisteredApp
    redirect_uri: str
    state: str | None
    requested: list[str]
    granted: list[str]

    def redirect(self, **params: str) -> Response:
        if self.state is not None:
            params["state"] = self.state
        return redirect_response(with_query(self.redirect_uri, params))

    def form_fields(self) -> dict[str, str]:
        fields = {
            "response_type": "code",
            "client_id": self.app.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.requested),
        }
        if self.state is not None:
            fields["state"] = self.state
        return fields


def redirect_uri_allowed(app: RegisteredApp, redirect_uri: str) -> bool:
    if "#" in redirect_uri:
        return False
    if app.redirect_uris is not None:
        return redirect_uri in app.redirect_uris
    parts = urlsplit(redirect_uri)
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS


def _read_authorization(sandbox: "Sandbox", params: dict[str, str]):
    """The validated request, or the response that ends it (error page or error redirect)."""
    app = sandbox.config.app(params.get("client_id", ""))
    if app is None:
        return html_response(400, error_page("The passed in client_id is invalid."))
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_uri_allowed(app, redirect_uri):
        message = "The redirect_uri does not match the registered value."
        return html_response(400, error_page(message))
    request = AuthorizationRequest(app, redirect_uri, params.get("state"), [], [])
    if params.get("response_type") != "code":
        return request.redirect(
            error="unsupported_response_type",
            error_description="The response_type must be code",
        )
    request.requested = parse_scopes(params.get("scope", ""))
    if not request.requested:
        return request.redirect(
            error="invalid_request", error_description="Missing required parameter: scope"
        )
    # LinkedIn refuses the whole authorization when one scope is unknown or not approved for
    # the app (DOC AUTH, via linkedin-api.md "Additions and corrections": Default scopes).
    app_scopes = sandbox.config.app_scopes(app.client_id)
    for scope in request.requested:
        if scope not in KNOWN_SCOPES or scope not in app_scopes:
            return request.redirect(
                error="unauthorized_scope_error",
                error_description=f'Scope "{scope}" is not authorized for your application',
            )
    request.granted = list(request.requested)
    return request


def _redirect_with_code(sandbox: "Sandbox", request: AuthorizationRequest) -> Response:
    member = sandbox.config.member
    code = "AQT" + secrets.token_urlsafe(48)
    sandbox.state.save_code(
        code=code,
        client_id=request.app.client_id,
        redirect_uri=request.redirect_uri,
        member_sub=member.sub,
        scopes=request.granted,
        created_at=sandbox.clock.now(),
    )
    sandbox.state.save_consent(request.app.client_id, member.sub, request.granted)
    return request.redirect(code=code)


def authorization_page(sandbox: "Sandbox", request: Request) -> Response:
    authorization = _read_authorization(sandbox, request.query_params())
    if isinstance(authorization, Response):
        return authorization
    member = sandbox.config.member
    consented = sandbox.state.consented_scopes(authorization.app.client_id, member.sub)
    if sandbox.config.remember_consent and set(authorization.granted) <= consented:
        return _redirect_with_code(sandbox, authorization)
    html = consent_page(
        app_name=authorization.app.name,
        member_name=member.name,
        granted=authorization.granted,
        form_fields=authorization.form_fields(),
    )
    return html_response(200, html)


def authorization_decision(sandbox: "Sandbox", request: Request) -> Response:
    form = request.form()
    authorization = _read_authorization(sandbox, form)
    if isinstance(authorization, Response):
        return authorization
    if form.get("decision") == "allow":
        return _redirect_with_code(sandbox, authorization)
    return authorization.redirect(
        error="user_cancelled_authorize",
        error_description="The user cancelled the authorization",
    )


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, {"error": error, "error_description": description})


def _authenticated_app(sandbox: "Sandbox", form: dict[str, str]) -> RegisteredApp:
    app = sandbox.config.app(form.get("client_id", ""))
    secret = form.get("client_secret", "")
    if app is None or not hmac.compare_digest(app.client_secret, secret):
        raise _oauth_error(401, "invalid_client", "Client authentication failed")
    return app


def access_token(sandbox: "Sandbox", request: Request) -> Response:
    form = request.form()
    grant_type = form.get("grant_type")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise _oauth_error(400, "unsupported_grant_type", "Unsupported grant_type")
    app = _authenticated_app(sandbox, form)
    if grant_type == "authorization_code":
        return _exchange_code(sandbox, app, form)
    return _refresh(sandbox, app, form)


def _exchange_code(sandbox: "Sandbox", app: RegisteredApp, form: dict[str, str]) -> Response:
    now = sandbox.clock.now()
    code = sandbox.state.take_code(form.get("code", ""))
    code_valid = (
        code is not None
        and not code["used"]
        and code["client_id"] == app.client_id
        and now < code["created_at"] + AUTHORIZATION_CODE_SECONDS
    )
    if not code_valid:
        raise _oauth_error(400, "invalid_request", INVALID_CODE_MESSAGE)
    if code["redirect_uri"] != form.get("redirect_uri"):
        raise _oauth_error(
            400,
            "invalid_redirect_uri",
            "Unable to retrieve access token: redirect_uri does not match the redirect_uri "
            "of the authorization request",
        )
    scopes = code["scopes"].split()
    payload = {}
    refresh_expires_at = None
    if sandbox.config.partner:
        refresh_expires_at = now + sandbox.config.refresh_token_seconds
        refresh_token = sandbox.store_token(
            kind="refresh", client_id=app.client_id, scopes=scopes, expires_at=refresh_expires_at
        )
        payload["refresh_token"] = refresh_token
        payload["refresh_token_expires_in"] = sandbox.config.refresh_token_seconds
    token, expires_in = _issue_access_token(sandbox, app, scopes, now, refresh_expires_at)
    payload = {
        "access_token": token,
        "expires_in": expires_in,
        "scope": ",".join(scopes),
        "token_type": "Bearer",
        **payload,
    }
    if "openid" in scopes:
        payload["id_token"] = id_token(sandbox, app, scopes, now)
    return json_response(200, payload)


def _issue_access_token(sandbox, app, scopes, now, refresh_expires_at) -> tuple[str, int]:
    """An access token lives 60 days, but never longer than the refresh token behind it."""
    expires_in = sandbox.config.access_token_seconds
    if refresh_expires_at is not None:
        expires_in = min(expires_in, int(refresh_expires_at - now))
    token = sandbox.store_token(
        kind="access", client_id=app.client_id, scopes=scopes, expires_at=now + expires_in
    )
    return token, expires_in


def _refresh(sandbox: "Sandbox", app: RegisteredApp, form: dict[str, str]) -> Response:
    now = sandbox.clock.now()
    refresh = sandbox.state.token(form.get("refresh_token", ""))
    usable = (
        refresh is not None
        and refresh["kind"] == "refresh"
        and refresh["client_id"] == app.client_id
        and not refresh["revoked"]
        and now < refresh["expires_at"]
    )
    if not usable:
        raise _oauth_error(
            400,
            "invalid_grant",
            "The provided authorization grant or refresh token is invalid, expired or revoked",
        )
    scopes = refresh["scopes"].split()
    token, expires_in = _issue_access_token(sandbox, app, scopes, now, refresh["expires_at"])
    return json_response(
        200,
        {
            "access_token": token,
            "expires_in": expires_in,
            # Not rotated, and its time-to-live keeps running down (contract §1.3).
            "refresh_token": form["refresh_token"],
            "refresh_token_expires_in": int(refresh["expires_at"] - now),
        },
    )


def introspect(sandbox: "Sandbox", request: Request) -> Response:
    form = request.form()
    app = _authenticated_app(sandbox, form)
    row = sandbox.state.token(form.get("token", ""))
    if row is None or row["client_id"] != app.client_id:
        return json_response(200, {"active": False})
    now = sandbox.clock.now()
    status = "revoked" if row["revoked"] else "expired" if now >= row["expires_at"] else "active"
    return json_response(
        200,
        {
            "active": status == "active",
            "client_id": row["client_id"],
            "authorized_at": int(row["authorized_at"]),
            "created_at": int(row["created_at"]),
            "status": status,
            "expires_at": int(row["expires_at"]),
            "scope": ",".join(row["scopes"].split()),
            "auth_type": "3L",
        },
    )


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def id_token(sandbox: "Sandbox", app: RegisteredApp, scopes: list[str], now: float) -> str:
    """An OIDC ID token with LinkedIn's claims and quirks, signed HS256 with the app secret."""
    member = sandbox.config.member
    claims = {
        "iss": "https://www.linkedin.com/oauth",
        "aud": app.client_id,
        "iat": int(now),
        "exp": int(now) + 3600,
        "sub": member.sub,
    }
    if "profile" in scopes:
        claims |= {
            "name": member.name,
            "given_name": member.given_name,
            "family_name": member.family_name,
            "picture": member.picture,
            "locale": f"{member.language}_{member.country}",
        }
    if "email" in scopes:
        claims |= {"email": member.email, "email_verified": "true"}
    header = {"alg": "HS256", "kid": "sandbox", "typ": "JWT"}
    signing_input = ".".join(
        _base64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(app.client_secret.encode(), signing_input.encode(), hashlib.sha256)
    return f"{signing_input}.{_base64url(signature.digest())}"


def userinfo(sandbox: "Sandbox", token: dict) -> Response:
    scopes = token["scopes"].split()
    if "openid" not in scopes:
        raise sandbox.access_denied("userinfo.GET.NO_VERSION")
    member = sandbox.config.member
    payload = {"sub": member.sub}
    if "profile" in scopes:
        payload |= {
            "name": member.name,
            "given_name": member.given_name,
            "family_name": member.family_name,
            "picture": member.picture,
            "locale": {"country": member.country, "language": member.language},
        }
    if "email" in scopes:
        payload |= {"email": member.email, "email_verified": True}
    return json_response(200, payload)


def me(sandbox: "Sandbox", token: dict) -> Response:
    scopes = token["scopes"].split()
    if not {"r_liteprofile", "r_basicprofile"} & set(scopes):
        raise sandbox.access_denied("me.GET.NO_VERSION")
    member = sandbox.config.member
    return json_response(
        200,
        {
            "id": member.sub,
            "localizedFirstName": member.given_name,
            "localizedLastName": member.family_name,
            "vanityName": f"{member.given_name}-{member.family_name}".lower(),
        },
    )
