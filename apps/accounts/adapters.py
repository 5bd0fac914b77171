from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from apps.accounts import services
from apps.core.http import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Every new user gets a personal workspace, so sign-up lands on a dashboard."""
        user = super().save_user(request, user, form, commit=False)
        # The browser's time zone (SignupExtrasForm), so posting times start in the
        # consultant's own zone; the personal workspace takes it from the user.
        cleaned = getattr(form, "cleaned_data", {})
        browser_timezone = cleaned.get("timezone")
        if cleaned.get("full_name"):
            user.full_name = cleaned["full_name"]
        if browser_timezone:
            user.timezone = browser_timezone
        if commit:
            user.save()
            services.workspace_create_personal(user=user, ip_address=client_ip(request))
            services.audit_record(
                action="user.signed_up", actor=user, ip_address=client_ip(request)
            )
        return user

    def get_login_redirect_url(self, request):
        return reverse("home")
