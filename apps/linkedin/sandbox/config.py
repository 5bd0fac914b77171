"""What a sandbox is configured with: its registered apps, its member, its rules and limits."""

from dataclasses import dataclass, field

from .versions import VERSIONS, ApiVersion

KNOWN_SCOPES = frozenset(
    {
        "openid",
        "profile",
        "email",
        "w_member_social",
        "r_member_social",
        "r_member_postAnalytics",
        "r_liteprofile",
        "r_basicprofile",
        "r_emailaddress",
        "w_organization_social",
        "r_organization_social",
        "rw_organization_admin",
    }
)

# What an ordinary LinkedIn app gets from the self-serve products "Sign In with LinkedIn using
# OpenID Connect" and "Share on LinkedIn" (linkedin-api.md, December 2026 review, "Default
# scopes"). Everything else needs LinkedIn's approval: r_member_social is granted to select
# developers only, r_member_postAnalytics comes with the reviewed Community Management API.
SELF_SERVE_SCOPES = frozenset({"openid", "profile", "email", "w_member_social"})
# An approved app (the sandbox's `--approved` mode): every scope the sandbox knows.
APPROVED_SCOPES = KNOWN_SCOPES

SCOPE_DESCRIPTIONS = {
    "openid": "Use your name and photo to sign you in",
    "profile": "Use your name and photo",
    "email": "Use the primary email address on your LinkedIn account",
    "w_member_social": "Create, modify, and delete posts, comments, and reactions on your behalf",
    "r_member_social": "Retrieve your posts, comments, reactions, and other engagement data",
    "r_member_postAnalytics": "Retrieve the analytics of your posts",
    "r_liteprofile": "Use your name and photo",
    "r_basicprofile": "Use your basic profile",
    "r_emailaddress": "Use the primary email address on your LinkedIn account",
    "w_organization_social": "Create posts on behalf of your organizations",
    "r_organization_social": "Retrieve your organizations' posts and engagement data",
    "rw_organization_admin": "Manage your organizations' pages and retrieve reporting data",
}

ACCESS_TOKEN_SECONDS = 5_183_999  # the "about 60 days" LinkedIn answers in practice
REFRESH_TOKEN_SECONDS = 31_535_999  # 365 days
AUTHORIZATION_CODE_SECONDS = 30 * 60


@dataclass(frozen=True)
class RegisteredApp:
    """A LinkedIn developer app. `redirect_uris=None` accepts any loopback http(s) URL.

    `approved`: whether LinkedIn approved this app for the restricted scopes; None follows
    `SandboxConfig.approved`. `scopes` names the app's scopes outright when given.
    """

    client_id: str
    client_secret: str
    name: str = "TechLead AutoPilot (sandbox)"
    redirect_uris: tuple[str, ...] | None = None
    approved: bool | None = None
    scopes: frozenset[str] | None = None


@dataclass(frozen=True)
class Member:
    """The LinkedIn member who is "signed in" to the sandbox's consent screen."""

    sub: str = "sbxDanaDemo1"
    given_name: str = "Dana"
    family_name: str = "Demo"
    email: str = "dana.demo@example.com"
    picture: str = "https://media.licdn.com/dms/image/sandbox/dana-demo.jpg"
    country: str = "DE"
    language: str = "en"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"


@dataclass
class SandboxConfig:
    """Everything a test or the management command may want to change.

    By default every app is an ordinary self-serve app (`SELF_SERVE_SCOPES`): LinkedIn refuses
    an authorization asking for more, and answers 403 to comment reading, the posts finder,
    social metadata and member analytics. `approved=True` (the `--approved` flag) makes the
    apps approved for every scope; `RegisteredApp(approved=...)` decides per app.
    `partner=True` makes the app an approved partner that receives refresh tokens. Limits
    count calls per UTC day. `versions` is LinkedIn's version table (versions.py).
    """

    apps: tuple[RegisteredApp, ...] = (RegisteredApp("sandbox-client", "sandbox-secret"),)
    member: Member = field(default_factory=Member)
    approved: bool = False
    partner: bool = False
    remember_consent: bool = True
    versions: tuple[ApiVersion, ...] = VERSIONS
    daily_member_limit: int = 5_000
    daily_app_limit: int = 100_000
    duplicate_window_seconds: int = 48 * 3600
    commentary_max_length: int = 3000
    created_post_kind: str = "share"  # or "ugcPost": what the x-restli-id of a new post names
    audience_speed: float = 1.0
    access_token_seconds: int = ACCESS_TOKEN_SECONDS
    refresh_token_seconds: int = REFRESH_TOKEN_SECONDS

    def app(self, client_id: str) -> RegisteredApp | None:
        return next((app for app in self.apps if app.client_id == client_id), None)

    def app_scopes(self, client_id: str) -> frozenset[str]:
        """The scopes LinkedIn lets this app ask for (none for an unknown app)."""
        app = self.app(client_id)
        if app is None:
            return frozenset()
        if app.scopes is not None:
            return app.scopes
        approved = self.approved if app.approved is None else app.approved
        return APPROVED_SCOPES if approved else SELF_SERVE_SCOPES
