from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "apps.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self):
        # Connects the receiver of forwarded LinkedIn notification e-mails.
        from apps.leads import mail_receiver  # noqa: F401
