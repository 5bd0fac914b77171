from django.utils.functional import SimpleLazyObject

from apps.accounts.selectors import memberships_of_user


def workspace_navigation(request):
    """The workspace switcher's entries and the unread count, fetched only when a template
    asks for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        from apps.notifications.selectors import unread_count

        workspace = getattr(request, "workspace", None)
        return unread_count(workspace=workspace, user=user) if workspace else 0

    # A workspace page has them already (workspace_view reads them with the membership).
    memberships = getattr(request, "user_memberships", None)
    return {
        "switcher_memberships": memberships
        if memberships is not None
        else SimpleLazyObject(lambda: list(memberships_of_user(user=user))),
        "unread_notifications": SimpleLazyObject(unread),
    }
