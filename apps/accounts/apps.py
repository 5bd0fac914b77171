from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = _("Accounts and workspaces")

    def ready(self):
        from apps.accounts import signals  # noqa: F401  (sign-in auditing)
