"""The Django admin (/beheer/django/): only for platform admins who signed in with their
second factor. ``core.apps.WijkkoersAdminConfig`` stands in INSTALLED_APPS instead of
``django.contrib.admin``, so ``admin.site`` is this site."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url


class WijkkoersAdminSite(admin.AdminSite):
    def has_permission(self, request):
        from core.permissions import is_platform_admin

        user = request.user
        verified = getattr(user, "is_verified", None)
        return (
            super().has_permission(request)
            and is_platform_admin(user)
            and verified is not None
            and verified()
        )

    def login(self, request, extra_context=None):
        """Sign in through the product's own pages (password, then the second step); a
        signed-in person the site is not for gets 403, not a second sign-in form."""
        next_url = request.GET.get("next") or request.get_full_path()
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, resolve_url("login"))
        if not request.user.is_verified():
            return redirect_to_login(next_url, resolve_url("second-factor"))
        raise PermissionDenied
