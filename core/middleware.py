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


class SignedMapMiddleware:
    """Warm maps served the way WhiteNoise serves static files: before sessions, users
    and the API framework.

    A page hands the browser a signed map URL. ``settings.SIGNED_MAPS`` names, per URL
    name of a map endpoint, the function that answers such a URL from process memory or
    the cache when its body is already built (and the subject may be served that way);
    it returns None for anything else (no or bad signature, a body still to be built,
    bad parameters, a licensed map), which goes on to the API view, which gives the very
    same response through the same code.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.responders = None

    def __call__(self, request):
        if self.responders is None:
            from django.urls import reverse
            from django.utils.module_loading import import_string

            self.responders = {
                reverse(url_name): import_string(path) for url_name, path in settings.SIGNED_MAPS.items()
            }
        responder = self.responders.get(request.path_info)
        if responder is not None and request.method in ("GET", "HEAD") and "sig" in request.GET:
            response = responder(request)
            if response is not None:
                return response
        return self.get_response(request)
