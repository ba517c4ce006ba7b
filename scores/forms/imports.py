from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from scores.importers import KWB_YEAR_NEEDED
from scores.models import ScoreImport, SourceKind
from scores.services.imports import max_upload_bytes


class ScoreImportForm(StyledForm):
    """Upload an indicator file into one of the sources the user may import into."""

    source = forms.ModelChoiceField(
        label=_("Bron"),
        queryset=None,
        empty_label=None,
        help_text=_("De bron waar de cijfers bij horen; wie de bron mag zien, ziet ook deze cijfers."),
    )
    file_format = forms.ChoiceField(
        label=_("Bestandsvorm"),
        choices=SourceKind.choices,
        help_text=_(
            "Een bron krijgt bestanden van haar eigen vorm, of de algemene vorm code;jaar;indicator;waarde."
        ),
    )
    year = forms.IntegerField(
        label=_("Jaar"),
        min_value=1990,
        max_value=2100,
        required=False,
        help_text=_(
            "Laat leeg als het bestand een kolom jaar (of year) heeft: dan worden alle jaren in het "
            "bestand geïmporteerd, elk op de gebiedsindeling van dat jaar. Vult u een jaar in, dan wordt "
            "alleen dat jaar geïmporteerd. Verplicht voor CBS-kerncijfers, want die bestanden hebben "
            "geen jaarkolom."
        ),
    )
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("CSV (komma of puntkomma), Excel (.xlsx) of een kaartlaag als GeoJSON (.geojson)."),
    )
    mode = forms.ChoiceField(
        label=_("Gebieden die niet in het bestand staan"),
        choices=[
            (ScoreImport.Mode.MERGE, ScoreImport.Mode.MERGE.label),
            (ScoreImport.Mode.REPLACE, ScoreImport.Mode.REPLACE.label),
        ],
        initial=ScoreImport.Mode.MERGE,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Standaard is aanvullen: alleen de gebieden in het bestand worden bijgewerkt. Kies vervangen "
            "als het bestand de hele stand van de bron is voor elk jaar dat erin staat; doe eerst een "
            "proefimport om per jaar te zien hoeveel gebieden hun waarden zouden verliezen."
        ),
    )
    dry_run = forms.BooleanField(label=_("Proefimport: alleen controleren, niets opslaan"), required=False)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("Het bestand is leeg. Kies een bestand met cijfers."))
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("Het bestand is %(size)s; de grens is %(limit)s. Kies een kleiner bestand.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload

    def clean_mode(self):
        # Not choosing is choosing the default, as the help text says.
        return self.cleaned_data.get("mode") or ScoreImport.Mode.MERGE

    def clean(self):
        data = super().clean()
        if (
            data.get("file_format") == SourceKind.CBS_KWB
            and data.get("year") is None
            and "year" not in self.errors
        ):
            self.add_error("year", str(KWB_YEAR_NEEDED))
        return data
