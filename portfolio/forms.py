"""Forms of the portfolio. They only check input; ``portfolio.services`` decides and saves."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agreements.models import Commitment
from areas.models import Area, AreaKind
from core.forms import StyledForm
from organisations.models import Organisation
from portfolio.importers import corporation_gemeenten
from portfolio.models import ENERGY_LABELS, Complex, RentClass, StrategyKind
from scores import catalogue
from scores.models import Score, ScoreModel


class _VersionedForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ComplexImportForm(StyledForm):
    organisation = forms.ModelChoiceField(label=_("Corporatie"), queryset=Organisation.objects.none())
    year = forms.TypedChoiceField(
        label=_("Jaar van de buurtindeling"),
        coerce=int,
        choices=(),
        help_text=_("Elk complex wordt geplaatst in een buurt van dit jaar."),
    )
    file = forms.FileField(
        label=_("Complexenregister (CSV of Excel)"),
        help_text=_(
            "Kolommen: complexnummer, naam, straat, huisnummer, postcode, plaats, x en y (RD New) of lat en "
            "lon (WGS84), aantal_eengezins, aantal_meergezins, sociale_huur, middenhuur, vrije_sector, "
            "bouwjaar, energielabel."
        ),
    )
    lookup_file = forms.FileField(
        label=_("Adressenbestand"),
        required=False,
        help_text=_(
            "Voor complexen zonder coördinaten: een CSV of Excel met de kolommen postcode;huisnummer;x;y "
            "(RD New) of postcode;huisnummer;lat;lon (WGS84)."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Eerst een proef: laat zien wat er verandert en sla niets op"), required=False, initial=True
    )
    remove_missing = forms.BooleanField(
        label=_("Ontbrekende complexen archiveren"),
        required=False,
        help_text=_(
            "Alleen als het bestand het hele register is: complexen die er niet in staan, worden gearchiveerd."
        ),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations if organisations is not None else Organisation.objects.none()
        self.fields["organisation"].queryset = organisations.order_by("name")
        self.fields["organisation"].empty_label = None
        codes = set()
        for organisation in organisations:
            codes |= set(corporation_gemeenten(organisation))
        years = (
            Area.objects.filter(kind=AreaKind.BUURT, gemeente_code__in=codes)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.fields["year"].choices = [(year, str(year)) for year in years]


class StrategyForm(_VersionedForm):
    kind = forms.ChoiceField(label=_("Strategie"), choices=StrategyKind.choices, widget=forms.RadioSelect)
    horizon_year = forms.IntegerField(label=_("Horizonjaar"), min_value=2000, max_value=2100)
    rationale = forms.CharField(label=_("Onderbouwing"), widget=forms.Textarea(attrs={"rows": 4}))
    planned_social_rent = forms.IntegerField(
        label=_("Terug bij sloop-nieuwbouw: sociale huur"), min_value=0, required=False
    )
    planned_mid_rent = forms.IntegerField(
        label=_("Terug bij sloop-nieuwbouw: middenhuur"), min_value=0, required=False
    )
    planned_free_sector = forms.IntegerField(
        label=_("Terug bij sloop-nieuwbouw: vrije sector"), min_value=0, required=False
    )
    planned_small_social = forms.IntegerField(
        label=_("Terug bij sloop-nieuwbouw: waarvan kleine sociale huurwoningen"),
        min_value=0,
        required=False,
        help_text=_("Sociale huurwoningen in meergezinswoningen. Leeg: in de verhouding van nu."),
    )
    commitments = forms.ModelMultipleChoiceField(
        label=_("Afspraken waaraan het bijdraagt"),
        queryset=Commitment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Commitment.objects.restrict(user, "view").select_related("agreement")
        if organisation is not None:
            # The commitments of the corporation's own agreements and boden.
            qs = qs.filter(
                Q(agreement__parties__organisation=organisation) | Q(bod__corporation=organisation)
            ).distinct()
        self.fields["commitments"].queryset = qs.order_by("pk")


class PortfolioSettingsForm(_VersionedForm):
    pressure_classes = forms.IntegerField(label=_("Klassen onder druk"), min_value=1, max_value=8)
    strong_classes = forms.IntegerField(label=_("Sterke klassen"), min_value=1, max_value=8)
    raise_threshold = forms.FloatField(
        label=_("Drempel voor stijging (procentpunt)"), min_value=0, max_value=100
    )
    lower_threshold = forms.FloatField(
        label=_("Drempel voor daling (procentpunt)"), min_value=0, max_value=100
    )


class PortfolioShareForm(_VersionedForm):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Delen met gemeenten"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Een gemeente ziet de projectie en de markeringen voor haar eigen buurten, verder niets."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.GEMEENTE, is_active=True
        ).order_by("name")


class ViewChoiceForm(StyledForm):
    """Which score model and year the buurten are shown in, and the horizon."""

    model = forms.ChoiceField(label=_("Scoremodel"), required=False)
    jaar = forms.TypedChoiceField(label=_("Jaar"), coerce=int, required=False)
    horizon = forms.IntegerField(label=_("Horizonjaar"), min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, models=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [(m.key, m.name) for m in models]
        self.fields["jaar"].choices = [(y, str(y)) for y in years]


SIGNAL_CHOICES = [(str(c["value"]), c["label"]) for c in catalogue.SIGNAL_CLASSES]


class ComplexFilter(django_filters.FilterSet):
    """Filters of the portfolio page: strategy, energy label, rent class and the signal
    of the complex's buurt (in the page's year)."""

    strategie = django_filters.ChoiceFilter(
        label=_("Strategie"),
        choices=[*StrategyKind.choices, ("geen", _("nog geen strategie"))],
        method="filter_strategy",
        empty_label=_("Alle strategieën"),
    )
    energielabel = django_filters.ChoiceFilter(
        label=_("Energielabel"),
        field_name="energy_label",
        choices=[(label, label) for label in ENERGY_LABELS],
        empty_label=_("Alle labels"),
    )
    huurklasse = django_filters.ChoiceFilter(
        label=_("Huurklasse"),
        choices=RentClass.choices,
        method="filter_rent",
        empty_label=_("Alle huurklassen"),
    )
    signaal = django_filters.ChoiceFilter(
        label=_("Signaal van de buurt"),
        choices=SIGNAL_CHOICES,
        method="filter_signal",
        empty_label=_("Alle signalen"),
    )

    class Meta:
        model = Complex
        fields = []

    def __init__(self, *args, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "utrecht-select utrecht-select--html-select")

    def filter_strategy(self, queryset, name, value):
        if value == "geen":
            return queryset.filter(strategy__isnull=True)
        return queryset.filter(strategy__kind=value)

    def filter_rent(self, queryset, name, value):
        field = {RentClass.SOCIAL: "social_rent", RentClass.MID: "mid_rent", RentClass.FREE: "free_sector"}[
            value
        ]
        return queryset.filter(**{f"{field}__gt": 0})

    def filter_signal(self, queryset, name, value):
        user = self.request.user if self.request is not None else None
        signal = ScoreModel.objects.restrict(user, "view").filter(key=catalogue.SIGNAL_TYPOLOGY.key).first()
        if signal is None:
            return queryset.none()
        areas = Score.objects.restrict(user, "view").filter(
            model=signal, score_class=value, is_aggregated=False
        )
        year = self.year or self.data.get("jaar")
        if year and str(year).isdigit():
            areas = areas.filter(year=int(year))
        return queryset.filter(buurt_id__in=areas.values("area_id"))
