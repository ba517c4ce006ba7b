from django.urls import path

app_name = "scores"

# --- maps: the score map, its export and the scores of one area (scores.views.maps)
from scores.views import maps as map_views  # noqa: E402

map_patterns = [
    path("", map_views.score_map, name="map"),
    path("export/", map_views.score_export, name="export"),
    path("gebied/<int:year>/<str:code>/", map_views.area_scores, name="area"),
]
# --- end maps

# --- sources: sources and sharing, indicators, score models (scores.views.sources)
from scores.views import sources as source_views  # noqa: E402

source_patterns = [
    path("bronnen/", source_views.SourceListView.as_view(), name="source-list"),
    path("bronnen/nieuw/", source_views.SourceCreateView.as_view(), name="source-create"),
    path("bronnen/<int:pk>/", source_views.SourceDetailView.as_view(), name="source-detail"),
    path("bronnen/<int:pk>/wijzigen/", source_views.SourceUpdateView.as_view(), name="source-update"),
    path("bronnen/<int:pk>/delen/", source_views.SourceShareView.as_view(), name="source-share"),
    path("bronnen/<int:pk>/verwijderen/", source_views.SourceDeleteView.as_view(), name="source-delete"),
    path("indicatoren/", source_views.IndicatorListView.as_view(), name="indicator-list"),
    path("indicatoren/<int:pk>/", source_views.IndicatorDetailView.as_view(), name="indicator-detail"),
    path("modellen/", source_views.ScoreModelListView.as_view(), name="model-list"),
    path("modellen/<slug:key>/", source_views.ScoreModelDetailView.as_view(), name="model-detail"),
    path("modellen/<slug:key>/wijzigen/", source_views.ScoreModelUpdateView.as_view(), name="model-update"),
]
# --- end sources

# --- imports: uploading indicator files (scores.views.imports)
from scores.views import fetch as fetch_views  # noqa: E402
from scores.views import imports  # noqa: E402

import_patterns = [
    path("imports/", imports.ScoreImportListView.as_view(), name="import-list"),
    path("imports/nieuw/", imports.ScoreImportCreateView.as_view(), name="import-create"),
    path("imports/ophalen/", fetch_views.CbsFetchView.as_view(), name="import-fetch"),
    path("imports/sjabloon/aedes-veerkracht.csv", imports.score_import_template, name="import-template"),
    path("imports/<int:pk>/", imports.score_import_detail, name="import-detail"),
    path("imports/<int:pk>/voortgang/", imports.score_import_status, name="import-status"),
]
# --- end imports

urlpatterns = map_patterns + source_patterns + import_patterns
