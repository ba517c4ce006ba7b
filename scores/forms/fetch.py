from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm, gemeente_codes_field
from scores.models import ScoreImport


class CbsFetchForm(StyledForm):
    """What to fetch from CBS StatLine: a year, all gemeenten or some, and what happens
    to stored areas that are not fetched."""

    year = forms.IntegerField(label=_("Jaar"), min_value=2000, max_value=2100)
    gemeenten = gemeente_codes_field()
    mode = forms.ChoiceField(
        label=_("Gebieden die niet worden opgehaald"),
        choices=[
            (ScoreImport.Mode.MERGE, ScoreImport.Mode.MERGE.label),
            (ScoreImport.Mode.REPLACE, ScoreImport.Mode.REPLACE.label),
        ],
        initial=ScoreImport.Mode.MERGE,
        widget=forms.RadioSelect,
    )
    dry_run = forms.BooleanField(label=_("Proefimport: alleen controleren, niets opslaan"), required=False)
