from django.conf import settings
from django.utils import translation


class InterfaceLanguageMiddleware:
    """Dutch unless the person chose another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language header; here the
    interface language is Dutch for everyone, and English only on request (the choice is
    kept in the language cookie that ``set_language`` writes).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response
