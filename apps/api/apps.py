from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        # Signal receivers (JWTs end with a password change) and the OpenAPI extensions that
        # describe our authentication schemes.
        from apps.api import schema, signals  # noqa: F401
