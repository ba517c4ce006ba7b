"""Warm maps served the way WhiteNoise serves static files: before sessions, users and
the API framework.

A page hands the browser a signed map URL (see ``areas.api.views.map_url_signature``).
For such a URL whose body is already built, this answers from process memory or the
cache; anything else (no or bad signature, a body still to be built, bad parameters)
goes on to the API view, which gives the very same response through the same code.
"""

from django.urls import reverse

from areas.api.views import signed_map_response


class SignedMapMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None

    def __call__(self, request):
        if self.path is None:
            self.path = reverse("area-geojson")
        if request.method in ("GET", "HEAD") and request.path_info == self.path and "sig" in request.GET:
            response = signed_map_response(request)
            if response is not None:
                return response
        return self.get_response(request)
