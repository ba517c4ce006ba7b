"""Forms for area teams, urgency, interventions and their progress.

Forms only check what a person typed; the services decide what is allowed and save.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agreements.models import Commitment
from areas.models import Area, AreaKind
from core.forms import StyledForm
from interventions import selectors
from interventions.models import (
    WORKING_ROLES,
    AreaTeam,
    Intervention,
    NotificationPreference,
    TeamRole,
    Theme,
    Urgency,
)
from interventions.services import parse_budget
from organisations.models import Organisation
from scores.models import Indicator

BUDGET_INVALID = _("Het budget is geen getal. Schrijf bijvoorbeeld 12500 of 12500,50.")
DATE_ORDER = _("De einddatum ligt vóór de begindatum. Kies een einddatum op of na de begindatum.")
STOP_REASON_REQUIRED = _("Geef een reden waarom de interventie is gestopt.")


class BudgetField(forms.CharField):
    """An amount in euros as people type it (12500, 12.500,50, € 1500); the rule is the
    services' own, so the form and the import accept the same input."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_budget(value)
        except ValidationError as exc:
            raise ValidationError(
                exc.message_dict.get("budget", [BUDGET_INVALID])[0], code="invalid"
            ) from exc


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (``<input type=file multiple>``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class GroupedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a model choice field in ``<optgroup>``s, one per value of the
    field's ``group_of(obj)``, in the queryset's order."""

    def __iter__(self):
        groups: dict[str, list] = {}
        for obj in self.queryset:
            groups.setdefault(self.field.group_of(obj), []).append(self.choice(obj))
        yield from groups.items()

    def __len__(self):
        return len({self.field.group_of(obj) for obj in self.queryset})


class GroupedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ``<select multiple>`` in groups, with a filter box added by
    ``interventions/choice-filter.js`` (without JavaScript it is a plain multi-select)."""

    iterator = GroupedChoiceIterator

    def __init__(self, *args, filter_label, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.SelectMultiple(
                attrs={
                    "size": 10,
                    "data-choice-filter": filter_label,
                    "data-chosen-label": _("Gekozen"),
                    "data-none-label": _("Nog niets gekozen."),
                    "data-empty-label": _("Niets gevonden; pas de zoekterm aan."),
                }
            ),
        )
        super().__init__(*args, **kwargs)

    def group_of(self, obj) -> str:
        raise NotImplementedError


class IndicatorChoiceField(GroupedMultipleChoiceField):
    """Catalogue indicators by name (with their key), grouped by source."""

    def group_of(self, indicator: Indicator) -> str:
        return indicator.source.name

    def label_from_instance(self, indicator: Indicator) -> str:
        return f"{indicator.name} ({indicator.key})"


class CommitmentChoiceField(GroupedMultipleChoiceField):
    """Agreement commitments by number and text, grouped by agreement."""

    def group_of(self, commitment: Commitment) -> str:
        return str(commitment.agreement)

    def label_from_instance(self, commitment: Commitment) -> str:
        text = " ".join(commitment.text.split())
        if len(text) > 110:
            text = text[:110].rsplit(" ", 1)[0] + "…"
        return f"{commitment.number} {text} ({commitment.responsible.name})".strip()


MULTI_SELECT_HELP = _("Houd Ctrl (of Cmd op een Mac) ingedrukt om meer dan één te kiezen.")


def area_label(area):
    return f"{area.name} ({area.code})"


def team_areas(team):
    """The areas an intervention of ``team`` can be in: the team's own wijk or gebied, and
    the land buurten in it."""
    area = team.area
    if area.kind == AreaKind.GEBIED:
        inside = area.members.filter(is_water=False)
    else:
        inside = Area.objects.filter(parent=area, is_water=False)
    return Area.objects.filter(pk__in=[area.pk, *inside.values_list("pk", flat=True)]).order_by(
        "kind", "code"
    )


def team_organisations(team, roles=None):
    members = team.members.all()
    if roles:
        members = members.filter(role__in=roles)
    return Organisation.objects.filter(pk__in=members.values("organisation_id")).order_by("name")


# --- teams ---------------------------------------------------------------------------


class TeamCreateForm(StyledForm):
    area_code = forms.CharField(
        label=_("Code van de wijk of het gebied"),
        max_length=16,
        help_text=_("Bijvoorbeeld WK045301. Een gebied vindt u op de pagina van zijn gemeente."),
    )
    year = forms.IntegerField(
        label=_("Jaar van de indeling"),
        min_value=1990,
        max_value=2100,
        help_text=_("De CBS-indeling waarop het team werkt."),
    )
    name = forms.CharField(label=_("Naam van het team"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    trekker = forms.ModelChoiceField(
        label=_("Trekker"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("De organisatie die het team leidt; haar beheerders beheren het team."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trekker"].queryset = organisations

    def clean(self):
        data = super().clean()
        code = (data.get("area_code") or "").strip().upper()
        year = data.get("year")
        if code and year:
            area = AreaTeam.area_for(year=year, code=code)
            if area is None:
                self.add_error(
                    "area_code",
                    _("Er is geen wijk of gebied met code %(code)s in de indeling van %(year)s.")
                    % {"code": code, "year": year},
                )
            else:
                data["area"] = area
        return data


class TeamEditForm(StyledForm):
    name = forms.CharField(label=_("Naam van het team"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TeamMemberAddForm(StyledForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        empty_label=_("Kies een organisatie"),
    )
    role = forms.ChoiceField(label=_("Rol in het team"), choices=TeamRole.choices, initial=TeamRole.PARTNER)

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        if team is not None:
            self.fields["organisation"].queryset = (
                Organisation.objects.filter(is_active=True)
                .exclude(pk__in=team.members.values("organisation_id"))
                .order_by("name")
            )


class TeamMemberRoleForm(StyledForm):
    role = forms.ChoiceField(label=_("Rol in het team"), choices=TeamRole.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class UrgencyForm(StyledForm):
    year = forms.IntegerField(label=_("Jaar"), min_value=2000, max_value=2100)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    urgency = forms.ChoiceField(
        label=_("Urgentie"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Kies een urgentie: laag, verhoogd, hoog of acuut.")},
    )
    rationale = forms.CharField(
        label=_("Onderbouwing"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Waarom deze urgentie: de cijfers, signalen en afspraken waarop het team zich baseert."),
    )


# --- interventions -------------------------------------------------------------------


class InterventionForm(StyledForm):
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    theme = forms.ChoiceField(label=_("Thema"), choices=Theme.choices)
    areas = forms.ModelMultipleChoiceField(
        label=_("Gebieden"),
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één wijk, buurt of gebied.")},
    )
    lead_organisation = forms.ModelChoiceField(
        label=_("Trekker"),
        queryset=Organisation.objects.none(),
        empty_label=_("Kies de organisatie die de interventie leidt"),
        help_text=_("Een trekker of partner in het team."),
    )
    partner_organisations = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    start_date = forms.DateField(label=_("Begindatum"), widget=DateInput, required=False)
    end_date = forms.DateField(label=_("Einddatum"), widget=DateInput, required=False)
    budget = BudgetField(
        label=_("Budget (€)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    funder = forms.CharField(label=_("Financier"), max_length=200, required=False)
    indicators = IndicatorChoiceField(
        label=_("Indicatoren die het moet bewegen"),
        queryset=Indicator.objects.none(),
        filter_label=_("Zoek een indicator op naam of sleutel"),
        help_text=format_lazy("{} {}", _("Indicatoren uit de catalogus, per bron."), MULTI_SELECT_HELP),
    )
    commitments = CommitmentChoiceField(
        label=_("Afspraken waaraan het bijdraagt"),
        queryset=Commitment.objects.none(),
        filter_label=_("Zoek een afspraak op nummer of tekst"),
        help_text=format_lazy(
            "{} {}", _("Afspraken uit de prestatieafspraken van de gemeente van het team."), MULTI_SELECT_HELP
        ),
    )

    def __init__(self, *args, team, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["areas"].queryset = team_areas(team)
        self.fields["areas"].label_from_instance = area_label
        self.fields["lead_organisation"].queryset = team_organisations(team, roles=WORKING_ROLES)
        self.fields["partner_organisations"].queryset = team_organisations(team)
        self.fields["partner_organisations"].help_text = _(
            "Andere organisaties uit het team die meewerken; de trekker is geen partner."
        )
        self.fields["indicators"].queryset = selectors.offered_indicators(user=user)
        commitments = selectors.offered_commitments(user=user, team=team)
        self.fields["commitments"].queryset = commitments
        if not commitments.exists():
            self.fields["commitments"].help_text = _(
                "Er zijn geen prestatieafspraken van de gemeente van dit team die u kunt inzien."
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", DATE_ORDER)
        return data


class InterventionEditForm(InterventionForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def budget_text(amount) -> str:
    """An amount as a Dutch person types it, whatever the interface language: 45.000 or
    45.000,50 (``parse_budget`` reads it back)."""
    if amount is None:
        return ""
    whole, cents = f"{amount:.2f}".split(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return grouped if cents == "00" else f"{grouped},{cents}"


def intervention_initial(intervention):
    """The form's starting values from a stored intervention."""
    values = intervention.detail_values()
    return {
        **values,
        "lead_organisation": intervention.lead_organisation_id,
        "budget": budget_text(intervention.budget),
        "version": intervention.version,
    }


class StatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Nieuwe status"), choices=Intervention.Status.choices)
    reason = forms.CharField(
        label=_("Reden"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Verplicht bij gestopt; anders een korte toelichting voor de tijdlijn."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("status") == Intervention.Status.GESTOPT and not (data.get("reason") or "").strip():
            self.add_error("reason", STOP_REASON_REQUIRED)
        return data


class ProgressForm(StyledForm):
    date = forms.DateField(label=_("Datum"), widget=DateInput)
    text = forms.CharField(label=_("Wat is er gebeurd?"), widget=forms.Textarea(attrs={"rows": 4}))
    progress = forms.IntegerField(
        label=_("Voortgang (%)"),
        min_value=0,
        max_value=100,
        required=False,
        error_messages={
            "min_value": _("De voortgang ligt tussen 0 en 100 procent."),
            "max_value": _("De voortgang ligt tussen 0 en 100 procent."),
        },
    )
    files = MultipleFileField(
        label=_("Bijlagen"),
        required=False,
        help_text=_("PDF, Office-documenten of foto's; u kunt meerdere bestanden tegelijk kiezen."),
    )


class InterventionFilterForm(StyledForm):
    """The filters of the list page, the export and the API: always a GET form."""

    q = forms.CharField(label=_("Zoek in titel en omschrijving"), required=False)
    area = forms.CharField(label=_("Gebiedscode"), required=False, help_text=_("Bijvoorbeeld WK045301."))
    theme = forms.ChoiceField(
        label=_("Thema"), required=False, choices=[("", _("Alle thema's")), *Theme.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle statussen")), *Intervention.Status.choices]
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label=_("Alle organisaties"),
    )
    period_from = forms.DateField(label=_("Loopt op of na"), required=False, widget=DateInput)
    period_to = forms.DateField(label=_("Loopt op of vóór"), required=False, widget=DateInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            # Only the organisations in the person's teams: the ones their interventions
            # can be led or partnered by (a short list, not the whole directory).
            from core.permissions import is_platform_admin
            from interventions.models import TeamMember
            from organisations.models import organisation_ids_for

            members = TeamMember.objects.all()
            if not is_platform_admin(user):
                mine = TeamMember.objects.filter(organisation_id__in=organisation_ids_for(user, "view"))
                members = members.filter(team_id__in=mine.values("team_id"))
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=members.values("organisation_id")
            ).order_by("name")

    def filters(self):
        """The cleaned filters as keyword arguments for the selector (empty ones left out)."""
        if not self.is_valid():
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        else:
            data = dict(self.cleaned_data)
        if data.get("area"):
            data["area"] = data["area"].strip().upper()
        return {name: value for name, value in data.items() if value not in (None, "", [])}


class PreferenceForm(StyledForm):
    mode = forms.ChoiceField(
        label=_("E-mail over mijn teams"),
        choices=NotificationPreference.Mode.choices,
        widget=forms.RadioSelect,
        help_text=_("Meldingen in Wijkkoers krijgt u altijd."),
    )


class ImportForm(StyledForm):
    # The kind and size of the file are checked by ``intervention_import_start``.
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("CSV of Excel (.xlsx) met de kolommen van de export of het lege sjabloon."),
    )


# --- wijkgesprekken --------------------------------------------------------------------


class WijkgesprekForm(StyledForm):
    date = forms.DateField(label=_("Datum van het gesprek"), widget=DateInput)
    year = forms.IntegerField(
        label=_("Meetjaar"),
        min_value=2000,
        max_value=2100,
        help_text=_("Het jaar van de cijfers die het team heeft besproken."),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Deelnemende organisaties"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies de organisaties die aan het gesprek deelnamen.")},
    )
    duiding = forms.CharField(
        label=_("Duiding"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Hoe leest het team de cijfers van dit jaar, wat zit erachter, en wat ziet het in de wijk "
            "dat de cijfers niet laten zien?"
        ),
    )
    decisions = forms.CharField(
        label=_("Besluiten"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = Organisation.objects.filter(
            pk__in=team.members.values("organisation_id")
        ).order_by("name")


class WijkgesprekCreateForm(WijkgesprekForm):
    actions = forms.CharField(
        label=_("Acties"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Eén actie per regel. Op de pagina van het gesprek maakt u van een actie een interventie "
            "of koppelt u haar aan een bestaande."
        ),
    )

    def clean_actions(self):
        return [line.strip() for line in self.cleaned_data["actions"].splitlines() if line.strip()]


class WijkgesprekEditForm(WijkgesprekForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class GesprekActionForm(StyledForm):
    text = forms.CharField(label=_("Actie"), max_length=500)
    intervention = forms.ModelChoiceField(
        label=_("Hoort bij interventie"),
        queryset=Intervention.objects.none(),
        required=False,
        empty_label=_("Nog geen interventie"),
    )

    def __init__(self, *args, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions


class GesprekActionLinkForm(StyledForm):
    intervention = forms.ModelChoiceField(
        label=_("Interventie"),
        queryset=Intervention.objects.none(),
        required=False,
        empty_label=_("Geen interventie"),
    )

    def __init__(self, *args, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions
