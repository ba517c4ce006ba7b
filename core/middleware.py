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


class ReadRulesMiddleware:
    """A request that only reads (GET, HEAD, OPTIONS) builds each access rule once.

    A page or list asks ``restrict()`` for the same (model, person, action) rule many
    times: for the object, its links, its sections and their counts. Within a read the
    rules cannot change, so ``core.permissions.rules_remembered`` keeps each one for the
    rest of the request, and reads what they rest on (memberships, teams, agreements,
    shared objects) once. Writes (POST, PUT, PATCH, DELETE) may change rights, and build
    every rule anew.
    """

    READS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.READS:
            return self.get_response(request)
        from core.permissions import rules_remembered

        with rules_remembered():
            return self.get_response(request)


# Session keys of the session limits (seconds since the epoch), and the request attribute
# that tells the sign-out receiver why a session was ended.
SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVITY = "last_activity"
SESSION_END_ATTRIBUTE = "session_end_reason"
# The last activity is written at most this often, so an ordinary request saves nothing.
ACTIVITY_RESOLUTION_SECONDS = 60


class SessionLimitMiddleware:
    """Ends a session after ``SESSION_IDLE_MINUTES`` without a request and
    ``SESSION_MAX_HOURS`` after signing in, with a message on the next page.

    The sign-in time and the last activity are kept in the session (set at sign-in by
    ``core.receivers``); the request that finds a limit passed continues as a signed-out
    one, so a page that needs signing in sends the person to the sign-in page and back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        import time

        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.translation import gettext as _

        session = request.session
        now = int(time.time())
        signed_in_at = session.get(SIGNED_IN_AT)
        last_activity = session.get(LAST_ACTIVITY)
        if not isinstance(signed_in_at, int) or not isinstance(last_activity, int):
            # A session from before the limits: they count from now.
            session[SIGNED_IN_AT] = signed_in_at if isinstance(signed_in_at, int) else now
            session[LAST_ACTIVITY] = now
            return
        idle_limit = settings.SESSION_IDLE_MINUTES * 60
        absolute_limit = settings.SESSION_MAX_HOURS * 60 * 60
        if now - signed_in_at >= absolute_limit:
            reason = "max"
            message = _(
                "U bent uitgelogd, omdat u {hours} uur geleden bent ingelogd. Log opnieuw in om verder te gaan."
            ).format(hours=settings.SESSION_MAX_HOURS)
        elif now - last_activity >= idle_limit:
            reason = "idle"
            message = _(
                "U bent uitgelogd, omdat u {minutes} minuten niets heeft gedaan. "
                "Log opnieuw in om verder te gaan."
            ).format(minutes=settings.SESSION_IDLE_MINUTES)
        else:
            if now - last_activity >= ACTIVITY_RESOLUTION_SECONDS:
                session[LAST_ACTIVITY] = now
            return
        setattr(request, SESSION_END_ATTRIBUTE, reason)
        logout(request)
        messages.info(request, message)


class SecondFactorMiddleware:
    """Nobody gets past the sign-in without their second step.

    After the password (``django.contrib.auth.login``) a person with an authenticator app
    is signed in but not verified (django-otp's ``OTPMiddleware``): every page sends them
    to the code page until the code is right. Someone who must have a second factor
    (``core.two_factor.second_factor_required``) but has none is sent to the set-up page.
    Signing in and out, those two pages, static files, the health check and the language
    switch stay open. API requests with a token are not signed in at this point (the API
    framework checks the token in the view) and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = None

    def exempt_prefixes(self):
        if self.exempt is None:
            from django.urls import reverse

            self.exempt = tuple(
                [
                    reverse(name)
                    for name in ("login", "logout", "second-factor", "second-factor-setup", "health")
                ]
                + [settings.STATIC_URL, reverse("set_language")]
            )
        return self.exempt

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            response = self.redirect(request)
            if response is not None:
                return response
        return self.get_response(request)

    def redirect(self, request):
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import resolve_url

        from core.two_factor import session_state

        if request.path_info.startswith(self.exempt_prefixes()):
            return None
        state = session_state(request)
        if state["device"]:
            return redirect_to_login(request.get_full_path(), resolve_url("second-factor"))
        if state["required"]:
            return redirect_to_login(request.get_full_path(), resolve_url("second-factor-setup"))
        return None
