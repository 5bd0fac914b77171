"""Rate limits per personal token and per user (whatever they sign in with), and per address
for signing in. Counted in the default cache; rates in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
(API_RATE_PER_TOKEN, API_RATE_PER_USER, API_RATE_SIGN_IN)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RateFromSettings:
    def get_rate(self):
        # Read on every request rather than once at import, so a changed setting applies.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class TokenRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        from apps.api.models import ApiToken  # not at import: settings name this module

        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(_RateFromSettings, throttling.UserRateThrottle):
    scope = "user"


class SignInRateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    scope = "sign_in"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
