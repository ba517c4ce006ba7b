"""Forms for agreements, commitments, monitoring and the bod. They validate input only;
the views hand the cleaned data to ``agreements.services``."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, MonitoringReport, Theme
from areas.models import Area, AreaKind
from core.forms import StyledForm
from organisations.models import Organisation

YEAR_FIELD = {"min_value": 2000, "max_value": 2100}


def gemeente_field():
    """A gemeente chosen by name; the value is its CBS code. The view gives the choices:
    the gemeenten the person may choose there."""
    return forms.ChoiceField(
        label=_("Gemeente"),
        choices=[],
        error_messages={"invalid_choice": _("Kies een gemeente uit de lijst.")},
    )


def areas_for(gemeente_code):
    """The wijken and gebieden of a gemeente in its most recent boundary year."""
    if not gemeente_code:
        return Area.objects.none()
    areas = Area.objects.filter(
        gemeente_code=gemeente_code, kind__in=[AreaKind.WIJK, AreaKind.GEBIED], is_water=False
    )
    latest = areas.aggregate(year=Max("year"))["year"]
    return (
        areas.filter(year=latest)
        .order_by("kind", "name")
        .defer("geometry", "shape_land", "shape_regio", "shape_stad")
    )


def _active(kind):
    return Organisation.objects.filter(kind=kind, is_active=True).order_by("name")


class AgreementForm(StyledForm):
    title = forms.CharField(label=_("Titel"), max_length=200)
    start_year = forms.IntegerField(label=_("Eerste jaar"), **YEAR_FIELD)
    end_year = forms.IntegerField(label=_("Laatste jaar"), **YEAR_FIELD)
    summary = forms.CharField(
        label=_("Samenvatting"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("Het laatste jaar kan niet vóór het eerste jaar liggen."))
        return data


class AgreementCreateForm(AgreementForm):
    """A new agreement names its parties: one gemeente, corporations, tenants, partners.
    The agreement is of the gemeente chosen as party: its CBS code is the agreement's."""

    gemeente = forms.ModelChoiceField(
        label=_("Gemeente"),
        queryset=Organisation.objects.none(),
        help_text=_("De gemeente die partij is; de afspraak geldt voor haar grondgebied."),
    )
    corporations = forms.ModelMultipleChoiceField(
        label=_("Woningcorporaties"), queryset=Organisation.objects.none()
    )
    tenants = forms.ModelMultipleChoiceField(
        label=_("Huurdersorganisaties"), queryset=Organisation.objects.none(), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Zorg- of maatschappelijke partners"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    field_order = ["title", "gemeente", "start_year", "end_year", "summary"]

    def __init__(self, *args, gemeenten=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Organisation.Kind
        # ``gemeenten``: the gemeente organisations the person may choose (see
        # ``selectors.agreement_gemeente_parties``).
        self.fields["gemeente"].queryset = gemeenten if gemeenten is not None else _active(kinds.GEMEENTE)
        self.fields["corporations"].queryset = _active(kinds.CORPORATIE)
        self.fields["tenants"].queryset = _active(kinds.HUURDERSORGANISATIE)
        self.fields["partners"].queryset = _active(kinds.PARTNER)
        for name in ("corporations", "tenants", "partners"):
            self.fields[name].widget.attrs["size"] = 6

    def clean(self):
        data = super().clean()
        gemeente = data.get("gemeente")
        if gemeente is not None:
            data["gemeente_code"] = gemeente.gemeente_code
        return data

    def parties(self):
        """The chosen parties as (organisation, role) pairs, for the service."""
        from agreements.models import PartyRole

        data = self.cleaned_data
        pairs = [(data["gemeente"], PartyRole.GEMEENTE)]
        pairs += [(org, PartyRole.CORPORATIE) for org in data["corporations"]]
        pairs += [(org, PartyRole.HUURDERS) for org in data.get("tenants") or []]
        pairs += [(org, PartyRole.ZORGPARTNER) for org in data.get("partners") or []]
        return pairs


class AgreementEditForm(AgreementForm):
    """Title, period and summary; the gemeente is fixed by the parties."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(StyledForm):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=Agreement.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(StyledForm):
    document = forms.FileField(
        label=_("Ondertekend document (PDF)"),
        help_text=_("Het document zoals alle partijen het hebben ondertekend."),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if not document.name.lower().endswith(".pdf"):
            raise forms.ValidationError(_("Kies een PDF-bestand."))
        if document.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("Het bestand is groter dan 20 MB. Kies een kleiner bestand."))
        return document


class AmendmentForm(StyledForm):
    year = forms.IntegerField(label=_("Jaar van de wijziging"), **YEAR_FIELD)
    reason = forms.CharField(label=_("Reden"), widget=forms.Textarea(attrs={"rows": 3}))


class CommitmentForm(StyledForm):
    number = forms.CharField(
        label=_("Nummer"), max_length=16, required=False, help_text=_("Bijvoorbeeld 2.3")
    )
    theme = forms.ChoiceField(label=_("Thema"), choices=Theme.choices)
    text = forms.CharField(label=_("Afspraak"), widget=forms.Textarea(attrs={"rows": 4}))
    responsible = forms.ModelChoiceField(
        label=_("Verantwoordelijke partij"), queryset=Organisation.objects.none()
    )
    target_value = forms.DecimalField(
        label=_("Streefwaarde"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Leeg laten voor een kwalitatieve afspraak."),
    )
    target_unit = forms.CharField(
        label=_("Eenheid"), max_length=60, required=False, help_text=_("Bijvoorbeeld: sociale huurwoningen")
    )
    target_year = forms.IntegerField(
        label=_("Streefjaar"),
        required=False,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Gebieden"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("De wijken of gebieden waar de afspraak over gaat, als dat er een paar zijn."),
    )

    def __init__(self, *args, organisations=None, gemeente_code="", **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["responsible"].queryset = organisations
        self.fields["areas"].queryset = areas_for(gemeente_code)
        self.fields["areas"].widget.attrs["size"] = 8

    def clean(self):
        data = super().clean()
        if data.get("target_value") is not None:
            if not (data.get("target_unit") or "").strip():
                self.add_error(
                    "target_unit", _("Geef de eenheid van de streefwaarde, bijvoorbeeld 'woningen'.")
                )
            if not data.get("target_year"):
                self.add_error("target_year", _("Geef het jaar waarin de streefwaarde gehaald moet zijn."))
        return data


class CommitmentEditForm(CommitmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DisputeForm(StyledForm):
    note = forms.CharField(
        label=_("Toelichting op het geschil"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Waarover verschillen de partijen van mening?"),
    )


class MonitoringForm(StyledForm):
    realised_value = forms.DecimalField(
        label=_("Gerealiseerd"), required=False, max_digits=14, decimal_places=2
    )
    progress = forms.ChoiceField(label=_("Stand"), choices=MonitoringReport.Progress.choices)
    explanation = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("goedkeuren", _("Goedkeuren")), ("terugsturen", _("Terugsturen voor herziening"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Opmerking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Verplicht bij terugsturen: wat moet er anders?"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "terugsturen" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Schrijf erbij wat er anders moet, zodat de partij het kan herzien."))
        return data


class CommentForm(StyledForm):
    text = forms.CharField(label=_("Opmerking"), widget=forms.Textarea(attrs={"rows": 3}))


class BodForm(StyledForm):
    corporation = forms.ModelChoiceField(label=_("Corporatie"), queryset=Organisation.objects.none())
    gemeente_code = gemeente_field()
    year = forms.IntegerField(label=_("Jaar waarvoor het bod geldt"), **YEAR_FIELD)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Ontvangers"),
        queryset=Organisation.objects.none(),
        help_text=_("De gemeente en de huurdersorganisatie(s)."),
    )
    summary = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, corporations=None, gemeenten=(), **kwargs):
        super().__init__(*args, **kwargs)
        if corporations is not None:
            self.fields["corporation"].queryset = corporations
        # ``gemeenten``: ``(code, name)`` of the gemeenten a bod can go to.
        self.fields["gemeente_code"].choices = [("", _("Kies een gemeente")), *gemeenten]
        kinds = Organisation.Kind
        self.fields["recipients"].queryset = Organisation.objects.filter(
            kind__in=[kinds.GEMEENTE, kinds.HUURDERSORGANISATIE], is_active=True
        ).order_by("kind", "name")
        self.fields["recipients"].widget.attrs["size"] = 6


class BodEditForm(BodForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Who makes the bod, for which gemeente and year is fixed once it exists.
        for name in ("corporation", "gemeente_code", "year"):
            self.fields[name].disabled = True


class AdoptForm(StyledForm):
    agreement = forms.ModelChoiceField(
        label=_("Overnemen in prestatieafspraak"), queryset=Agreement.objects.none()
    )

    def __init__(self, *args, agreements=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreements is not None:
            self.fields["agreement"].queryset = agreements


MONTHS = [
    (1, _("januari")),
    (2, _("februari")),
    (3, _("maart")),
    (4, _("april")),
    (5, _("mei")),
    (6, _("juni")),
    (7, _("juli")),
    (8, _("augustus")),
    (9, _("september")),
    (10, _("oktober")),
    (11, _("november")),
    (12, _("december")),
]


class CalendarForm(StyledForm):
    """A gemeente's yearly deadlines: a day and month for each, and how early to remind."""

    bod_day = forms.IntegerField(label=_("Bod: dag"), min_value=1, max_value=31)
    bod_month = forms.TypedChoiceField(label=_("Bod: maand"), choices=MONTHS, coerce=int)
    signing_day = forms.IntegerField(label=_("Ondertekenen: dag"), min_value=1, max_value=31)
    signing_month = forms.TypedChoiceField(label=_("Ondertekenen: maand"), choices=MONTHS, coerce=int)
    monitoring_day = forms.IntegerField(label=_("Monitoring indienen: dag"), min_value=1, max_value=31)
    monitoring_month = forms.TypedChoiceField(
        label=_("Monitoring indienen: maand"), choices=MONTHS, coerce=int
    )
    review_day = forms.IntegerField(label=_("Beoordelen: dag"), min_value=1, max_value=31)
    review_month = forms.TypedChoiceField(label=_("Beoordelen: maand"), choices=MONTHS, coerce=int)
    reminder_days_ahead = forms.IntegerField(
        label=_("Herinneren (dagen vooraf)"),
        min_value=0,
        max_value=120,
        help_text=_("Zoveel dagen voor elke termijn krijgen de verantwoordelijken een herinnering."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
