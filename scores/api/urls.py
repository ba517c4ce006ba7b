"""API routes of scores, mounted under /api/v1/ before the main router."""

from django.urls import path  # noqa: F401
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

# --- geojson: the scored map (scores.api.geojson); before the router so that
# "scores/geojson/" is not read as a score id
geojson_patterns = []
# --- end geojson

# --- viewsets (scores.api.views)
# --- end viewsets

urlpatterns = geojson_patterns + router.urls
