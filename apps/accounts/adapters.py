from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from apps.accounts import services
from apps.core import branded_mail
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

    def send_mail(self, template_prefix, email, context):
        """allauth's messages (verification, password reset, "account already exists", …) in
        the product's layout, signed with the site's name: without the sites framework allauth
        named the site after the request's host ("Hello from 127.0.0.1:8100!")."""
        context = {
            **context,
            "current_site": SimpleNamespace(
                name=branded_mail.site_name(), domain=branded_mail.site_domain()
            ),
        }
        super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and message.alternatives:
            return message
        branded = branded_mail.branded_message(
            subject=message.subject, text=message.body, to=message.to
        )
        branded.from_email = message.from_email
        branded.extra_headers = message.extra_headers
        return branded
