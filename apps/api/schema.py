"""The OpenAPI schema (drf-spectacular): our token scheme, and the error answers every
operation can give, so clients (and schemathesis) know them."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

ERRORS = {
    "400": "The input is not valid; `fields` says what is wrong with each field.",
    "401": "No valid credentials: a missing, expired or revoked token.",
    "403": "Your role in this workspace (or the token's role) does not allow this.",
    "404": "Not found, or not in a workspace you (or this token) can see.",
    "409": "The object's current state does not allow this, e.g. scheduling a draft.",
    "415": "The body is not JSON.",
    "429": "Too many requests; the Retry-After header says when to try again.",
}
UNSAFE_ONLY = {"409", "415"}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tl_…",
            "description": (
                "A personal API token from a workspace's settings (API tokens), sent as "
                "`Authorization: Bearer tl_…` (or `Token tl_…`). It works only under its own "
                "workspace's URLs, with at most its role."
            ),
        }


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        from apps.api.serializers import ErrorSerializer  # not at import: settings name this

        responses = super()._get_response_bodies(direction)
        public = (
            any(
                isinstance(permission, permissions.AllowAny)
                for permission in self.view.get_permissions()
            )
            or not self.view.get_permissions()
        )
        for code, description in ERRORS.items():
            if code in responses:
                continue
            if code in UNSAFE_ONLY and self.method in ("GET", "HEAD", "OPTIONS"):
                continue
            if public and code in ("403", "404", "409"):
                continue
            responses[code] = self._get_response_for_code(
                OpenApiResponse(ErrorSerializer, description=description), code
            )
        return responses
