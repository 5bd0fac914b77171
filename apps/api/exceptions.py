"""Errors as JSON, one shape for all of them:

    {"detail": "Some fields are not valid.", "code": "invalid",
     "fields": {"text": ["This field may not be blank."]}}

`fields` only comes with 400s; nested fields are named with dots (`items.0.name`)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """The request is valid, but the object's state does not allow it now (say, approving a
    post that is already scheduled). The message says why."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object's current state does not allow this.")
    default_code = "conflict"


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(errors, dict):
        flat = {}
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
        return flat
    if isinstance(errors, list) and errors and not all(isinstance(item, str) for item in errors):
        flat = {}
        for index, value in enumerate(errors):
            flat.update(_flatten(value, f"{prefix}{index}."))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix.rstrip(".") or "non_field_errors": [str(m) for m in messages]}


def _code(exc, data) -> str:
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return data["code"]  # simplejwt's InvalidToken says which problem it was
    detail = getattr(exc, "detail", None)
    return getattr(detail, "code", None) or getattr(exc, "default_code", "error")


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handling, logged as such
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": str(_("Some fields are not valid.")),
            "code": "invalid",
            "fields": _flatten(data if isinstance(data, dict) else {"non_field_errors": data}),
        }
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        response.data = {"detail": str(detail), "code": str(_code(exc, data))}
    return response
