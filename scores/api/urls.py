"""API routes of scores, mounted under /api/v1/ before the main router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

# --- geojson: the scored map (scores.api.geojson); before the router so that
# "scores/geojson/" is not read as a score id
from scores.api.geojson import ScoredMapView  # noqa: E402

geojson_patterns = [path("scores/geojson/", ScoredMapView.as_view(), name="score-geojson")]
# --- end geojson

# --- viewsets (scores.api.views)
from scores.api import views as score_views  # noqa: E402

router.register("score-sources", score_views.SourceViewSet, basename="score-source")
router.register("indicators", score_views.IndicatorViewSet, basename="indicator")
router.register("indicator-values", score_views.IndicatorValueViewSet, basename="indicator-value")
router.register("score-models", score_views.ScoreModelViewSet, basename="score-model")
router.register("scores", score_views.ScoreViewSet, basename="score")
router.register("score-imports", score_views.ScoreImportViewSet, basename="score-import")
# --- end viewsets

urlpatterns = geojson_patterns + router.urls
