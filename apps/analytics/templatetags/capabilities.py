"""`{% workspace_capabilities as capabilities %}`: the LinkedIn capability states on any page.

A tag rather than view context so that pages of lower apps (the LinkedIn settings page) can
show states that need facts from leads and analytics without importing them."""

from django import template

from apps.analytics.capabilities import workspace_capabilities as capabilities_for

register = template.Library()


@register.simple_tag(takes_context=True)
def workspace_capabilities(context):
    request = context.get("request")
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return None
    # One decision per request, however many places on the page show it.
    cached = getattr(request, "_linkedin_capabilities", None)
    if cached is None:
        cached = capabilities_for(workspace=workspace)
        request._linkedin_capabilities = cached
    return cached


@register.simple_tag
def linkedin_sandbox_label():
    """Words for the demo's banner when the local sandbox plays an approved LinkedIn app."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    if settings.LINKEDIN_SANDBOX_MODE == "approved":
        return _("LinkedIn sandbox — approved app mode")
    return ""
