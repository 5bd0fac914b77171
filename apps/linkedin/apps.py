from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkedInConfig(AppConfig):
    name = "apps.linkedin"
    label = "linkedin"
    verbose_name = _("LinkedIn")
