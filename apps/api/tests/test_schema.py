"""The OpenAPI schema and its docs page: valid, describing both sign-ins, served from here."""

import re

import pytest
import yaml
from django.test import Client
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_describes_personal_tokens_jwt_and_the_session(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["apiToken"]["scheme"] == "bearer"
    assert schemes["apiToken"]["bearerFormat"] == "tl_…"
    assert schemes["jwtAuth"]["bearerFormat"] == "JWT"
    assert schemes["cookieAuth"]["in"] == "cookie"
    posts = schema["paths"]["/api/v1/w/{workspace_slug}/posts/"]["get"]
    assert posts["security"] == [{"apiToken": []}, {"jwtAuth": []}, {"cookieAuth": []}]
    assert {
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/token/revoke/",
    } <= set(schema["paths"])


def test_every_workspace_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        if "{workspace_slug}" not in path:
            continue
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (
                method,
                path,
            )


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(url.startswith(("/static/", "/api/")) for url in urls), urls
    assert "<style" not in html  # the Content Security Policy refuses inline styles
    script = client.get("/api/docs/?script")
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


def test_the_swagger_assets_are_served_from_our_static_files():
    from django.contrib.staticfiles import finders

    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}"), name


def test_the_schema_and_docs_need_no_sign_in():
    assert Client().get("/api/schema/").status_code == 200
    assert Client().get("/api/docs/").status_code == 200
