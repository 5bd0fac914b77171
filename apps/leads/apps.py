from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "apps.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self):
        # Connects the receiver of forwarded LinkedIn notification e-mails.
        from apps.leads import mail_receiver  # noqa: F401
        from apps.leads.totals import install_after_migrate

        # The triggers keeping the lead totals, where a database was built without
        # migrations (the test suite's).
        post_migrate.connect(install_after_migrate, dispatch_uid="leads.totals.install")
