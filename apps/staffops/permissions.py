"""Who may impersonate whom (django-hijack's HIJACK_PERMISSION_CHECK)."""


def superuser_may_impersonate(*, hijacker, hijacked) -> bool:
    """Only an active superuser, and never another superuser or themselves: plain staff see
    tenants through the admin, not as them."""
    if not hijacked or not hijacker.is_authenticated:
        return False
    return (
        hijacker.is_active
        and hijacker.is_superuser
        and hijacked.is_active
        and not hijacked.is_superuser
        and hijacked.pk != hijacker.pk
    )
