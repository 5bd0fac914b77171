from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_template_library(sender, using="default", plan=None, **kwargs):
    """After `migrate` (and after the test runner's flushes), the shared template library
    matches the repository's: a fresh deployment can plan a week at once."""
    from django.db import connections

    from apps.content.models import PostTemplate
    from apps.content.services import library_sync

    if PostTemplate._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards past the table
    library_sync(using=using)


class ContentConfig(AppConfig):
    name = "apps.content"
    label = "content"
    verbose_name = _("Content")

    def ready(self):
        post_migrate.connect(
            _sync_template_library, sender=self, dispatch_uid="content.sync_template_library"
        )
