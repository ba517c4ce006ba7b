from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm, gemeente_codes_field

# Used when the data layer sets no limit of its own.


class GebiedForm(StyledForm):
    """A gebied: a named set of buurten of one gemeente and year."""

    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=None,
        empty_label=None,
        help_text=_("De organisatie die het gebied beheert; haar beheerders mogen het wijzigen."),
    )
    name = forms.CharField(label=_("Naam"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    buurten = forms.ModelMultipleChoiceField(
        label=_("Buurten"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één buurt.")},
    )

    def __init__(self, *args, organisations, buurten, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["buurten"].queryset = buurten
        self.fields["buurten"].label_from_instance = lambda area: f"{area.name} ({area.code})"


class GebiedEditForm(GebiedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The owner does not change after creation.
        del self.fields["organisation"]


class BoundaryUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Bestand met grenzen"),
        help_text=_(
            "GeoPackage, Shapefile (gezipt) of GeoJSON van het CBS, in RD New of WGS84, "
            "met gemeenten, wijken of buurten."
        ),
    )
    year = forms.IntegerField(label=_("Jaar van de indeling"), min_value=1990, max_value=2100)
    dry_run = forms.BooleanField(
        label=_("Proefimport: alleen controleren, niets opslaan"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.BOUNDARY_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("Het bestand is %(size)s; de grens is %(limit)s. Kies een kleiner bestand of één jaar.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Het bestand is leeg. Kies een bestand met grenzen."))
        return upload


class BoundaryFetchForm(StyledForm):
    """What to fetch from PDOK: a year, all gemeenten or some."""

    year = forms.IntegerField(label=_("Jaar van de indeling"), min_value=2000, max_value=2100)
    gemeenten = gemeente_codes_field()
    dry_run = forms.BooleanField(label=_("Proefimport: alleen controleren, niets opslaan"), required=False)
