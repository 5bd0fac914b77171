from django.utils.functional import SimpleLazyObject

from apps.accounts.selectors import memberships_of_user


def workspace_navigation(request):
    """The workspace switcher's entries, fetched only when a template asks for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"switcher_memberships": SimpleLazyObject(lambda: list(memberships_of_user(user=user)))}
