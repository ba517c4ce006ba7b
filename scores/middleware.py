"""Warm open score maps served like static files: before sessions, users and the API
framework (the scored counterpart of ``areas.middleware.SignedMapMiddleware``).

Only a signed page URL of an open model or indicator whose body is already built is
answered here, after the one small query that says the subject is open; licensed maps,
bodies still to be built and anything unusual go on to the API view, which gives the very
same response through the same code.
"""

from django.urls import reverse

from scores.api.geojson import signed_scored_response


class SignedScoreMapMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None

    def __call__(self, request):
        if self.path is None:
            self.path = reverse("score-geojson")
        if request.method in ("GET", "HEAD") and request.path_info == self.path and "sig" in request.GET:
            response = signed_scored_response(request)
            if response is not None:
                return response
        return self.get_response(request)
