from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Kern")
    default = True

    def ready(self):
        from core import receivers  # noqa: F401  (sign-in events into the audit log)


class WijkkoersAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with its site open only to platform admins who passed the
    second step (``core.admin_site.WijkkoersAdminSite``)."""

    default = False
    default_site = "core.admin_site.WijkkoersAdminSite"
