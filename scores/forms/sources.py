"""Forms for sources, sharing, indicators and score models. They only check input; the
services in ``scores.services.sources`` decide and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from organisations.models import Organisation
from scores.models import Aggregation, Direction, Indicator, ModelIndicator, ScoreModel, Source, SourceKind
from scores.services.sources import creatable_owner_organisations


class _VersionedForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SourceForm(StyledForm):
    """A new source. Organisation bewerkers choose one of their organisations as owner;
    platform admins may leave it empty for an open national source."""

    name = forms.CharField(label=_("Naam"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort bestand"), choices=SourceKind.choices)
    owner_organisation = forms.ModelChoiceField(
        label=_("Eigenaar"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("De organisatie die de cijfers aanlevert en bepaalt met wie ze gedeeld worden."),
    )
    is_licensed = forms.BooleanField(
        label=_("Gelicentieerd"),
        required=False,
        help_text=_(
            "Alleen de eigenaar en de organisaties waarmee zij de bron deelt zien de cijfers. "
            "Een Aedes veerkrachtkaart is altijd gelicentieerd."
        ),
    )
    licence = forms.CharField(
        label=_("Licentie en bronvermelding"),
        max_length=300,
        required=False,
        help_text=_("Bijvoorbeeld: Bron: CBS, CC BY 4.0; of: alleen voor leden van Aedes."),
    )
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user=None, may_leave_owner_empty=False, **kwargs):
        super().__init__(*args, **kwargs)
        owners = creatable_owner_organisations(user)
        field = self.fields["owner_organisation"]
        field.queryset = owners
        if may_leave_owner_empty:
            field.empty_label = _("Geen: een open landelijke bron")
        else:
            field.required = True
            field.empty_label = None


class SourceEditForm(_VersionedForm):
    name = forms.CharField(label=_("Naam"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort bestand"), choices=SourceKind.choices)
    is_licensed = SourceForm.base_fields["is_licensed"]
    licence = SourceForm.base_fields["licence"]
    description = SourceForm.base_fields["description"]

    def __init__(self, *args, may_share=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_share:
            # Opening or closing the data is the owner's beheerders' decision.
            self.fields["is_licensed"].disabled = True


class SourceShareForm(_VersionedForm):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Delen met"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mensen van deze organisaties zien de bron, haar indicatoren, waarden en scores."),
    )

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Organisation.objects.filter(is_active=True).order_by("name")
        if source is not None and source.owner_organisation_id:
            queryset = queryset.exclude(pk=source.owner_organisation_id)
        self.fields["organisations"].queryset = queryset


class IndicatorFilterForm(StyledForm):
    source = forms.ModelChoiceField(
        label=_("Bron"), queryset=None, required=False, empty_label=_("Alle bronnen")
    )
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = (
            Source.objects.restrict(user, "view").only("pk", "name").order_by("name")
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


class IndicatorForm(_VersionedForm):
    name = forms.CharField(label=_("Naam"), max_length=200)
    unit = forms.CharField(label=_("Eenheid"), max_length=40, required=False)
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    direction = forms.ChoiceField(label=_("Richting"), choices=Direction.choices)
    aggregation = forms.ChoiceField(label=_("Optellen naar wijk en gemeente"), choices=Aggregation.choices)
    decimals = forms.IntegerField(label=_("Decimalen"), min_value=0, max_value=4)
    is_key = forms.BooleanField(
        label=_("Kerncijfer"), required=False, help_text=_("Wordt op gebiedspagina's als grafiek getoond.")
    )


def indicator_initial(indicator: Indicator) -> dict:
    return {
        "name": indicator.name,
        "unit": indicator.unit,
        "description": indicator.description,
        "direction": indicator.direction,
        "aggregation": indicator.aggregation,
        "decimals": indicator.decimals,
        "is_key": indicator.is_key,
        "version": indicator.version,
    }


def parse_numbers(text: str) -> list[float]:
    """Numbers separated by semicolons or spaces, with a decimal comma or point."""
    parts = [part for part in (text or "").replace("−", "-").replace(";", " ").split() if part]
    return [float(part.replace(",", ".")) for part in parts]


def format_numbers(values) -> str:
    return "; ".join(f"{value:g}".replace(".", ",") for value in values or [])


class ScoreModelForm(_VersionedForm):
    name = forms.CharField(label=_("Naam"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    cutoffs = forms.CharField(
        label=_("Klassengrenzen"),
        required=False,
        help_text=_(
            "Van laag naar hoog, gescheiden door puntkomma's, bijvoorbeeld: -0,75; -0,25; 0,25; 0,75."
        ),
    )
    min_population = forms.IntegerField(
        label=_("Minimaal aantal inwoners"),
        min_value=0,
        help_text=_("Gebieden met minder inwoners krijgen geen score (te weinig gegevens)."),
    )
    weighting = forms.ChoiceField(label=_("Optellen gewogen naar"), choices=ScoreModel.Weighting.choices)
    stable_band = forms.FloatField(
        label=_("Bandbreedte stabiel"),
        min_value=0,
        localize=True,
        help_text=_(
            "Signaaltypologie: een verandering binnen deze bandbreedte (in standaardafwijkingen) telt als stabiel."
        ),
    )
    is_active = forms.BooleanField(label=_("Actief"), required=False)

    def clean_cutoffs(self):
        try:
            return parse_numbers(self.cleaned_data.get("cutoffs", ""))
        except ValueError as exc:
            raise forms.ValidationError(
                _(
                    "Schrijf de klassengrenzen als getallen gescheiden door puntkomma's, bijvoorbeeld -0,75; 0,25."
                )
            ) from exc


def score_model_initial(model: ScoreModel) -> dict:
    return {
        "name": model.name,
        "description": model.description,
        "cutoffs": format_numbers(model.cutoffs),
        "min_population": model.min_population,
        "weighting": model.weighting,
        "stable_band": model.stable_band,
        "is_active": model.is_active,
        "version": model.version,
    }


class ComponentForm(StyledForm):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    weight = forms.FloatField(label=_("Gewicht"), min_value=0, localize=True)
    role = forms.ChoiceField(label=_("Rol"), choices=ModelIndicator.Role.choices, required=False)

    def __init__(self, *args, indicators=None, **kwargs):
        super().__init__(*args, **kwargs)
        if indicators is not None:
            self.fields["indicator"].queryset = indicators


class BaseComponentFormSet(forms.BaseFormSet):
    def components(self):
        """The filled-in rows not marked for removal, as (indicator, weight, role)."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or data.get("indicator") is None:
                continue
            rows.append((data["indicator"], data["weight"], data.get("role") or ""))
        return rows


ComponentFormSet = forms.formset_factory(
    ComponentForm, formset=BaseComponentFormSet, extra=1, can_delete=True
)
