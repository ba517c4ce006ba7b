from django.urls import path  # noqa: F401

app_name = "scores"

# --- maps: the score map, its export and the scores of one area (scores.views.maps)
map_patterns = []
# --- end maps

# --- sources: sources and sharing, indicators, score models (scores.views.sources)
source_patterns = []
# --- end sources

# --- imports: uploading indicator files (scores.views.imports)
import_patterns = []
# --- end imports

urlpatterns = map_patterns + source_patterns + import_patterns
