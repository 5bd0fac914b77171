from apps.content.tests.conftest import draft, library  # noqa: F401 - shared fixtures
