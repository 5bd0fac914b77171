from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from apps.core.rls import apply_after_migrate, migrations_across_workspaces

        # Row-level security policies follow the tables: (re)applied after every migrate.
        post_migrate.connect(apply_after_migrate, dispatch_uid="core.rls.apply_after_migrate")
        pre_migrate.connect(
            migrations_across_workspaces, dispatch_uid="core.rls.migrations_across_workspaces"
        )
