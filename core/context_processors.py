from django.conf import settings


def navigation(request):
    """Site-wide template values; the unread count costs one small query per page."""
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from core.models import Notification

        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    return {"SITE_NAME": "Wijkkoers", "DJANGO_ENV": settings.DJANGO_ENV, "unread_notifications": unread}
