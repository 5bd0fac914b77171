from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffOpsConfig(AppConfig):
    name = "apps.staffops"
    label = "staffops"
    verbose_name = _("Staff operations")

    def ready(self):
        from apps.staffops import impersonation  # noqa: F401  (connects the audit receivers)
