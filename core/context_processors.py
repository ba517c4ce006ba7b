from django.conf import settings


def navigation(request):
    return {"SITE_NAME": "Wijkkoers", "DJANGO_ENV": settings.DJANGO_ENV}
