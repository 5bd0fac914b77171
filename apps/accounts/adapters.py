from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from apps.accounts import services
from apps.core.http import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Every new user gets a personal workspace, so sign-up lands on a dashboard."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.workspace_create_personal(user=user, ip_address=client_ip(request))
            services.audit_record(
                action="user.signed_up", actor=user, ip_address=client_ip(request)
            )
        return user

    def get_login_redirect_url(self, request):
        return reverse("home")
