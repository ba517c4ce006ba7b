"""The choice on the score map page (and its export): what, which year, which level, where."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.models import AreaKind
from areas.selectors import NATIONAL
from core.forms import StyledForm
from scores.selectors.maps import MAX_CLASSES, MIN_CLASSES, validate_breaks

LEVEL_CHOICES = [
    (AreaKind.GEMEENTE, _("gemeenten")),
    (AreaKind.WIJK, _("wijken")),
    (AreaKind.BUURT, _("buurten")),
    (AreaKind.GEBIED, _("gebieden")),
]
CLASSING_CHOICES = [("quantile", _("kwantielen (even grote groepen)")), ("fixed", _("vaste grenzen"))]
SEPARATORS = re.compile(r"[;\s]+")


def subject_value(subject) -> str:
    """The form value of a model (``model:<key>``) or an indicator (``indicator:<id>``)."""
    from scores.models import ScoreModel

    if isinstance(subject, ScoreModel):
        return f"model:{subject.key}"
    return f"indicator:{subject.pk}"


def subject_choices(models, indicators) -> list:
    """The choices of "Kaart van" in groups: the score models first, then the indicators
    of each source under the source's name (sources and indicators by name), so a long
    list of indicators can be scanned by where the figures come from."""
    by_source = {}
    for indicator in indicators:
        by_source.setdefault(indicator.source, []).append(indicator)
    groups = [(_("Modellen"), [(subject_value(m), m.name) for m in models])] if models else []
    for source in sorted(by_source, key=lambda s: s.name.casefold()):
        members = sorted(by_source[source], key=lambda i: i.name.casefold())
        label = _("Indicatoren: %(source)s") % {"source": source.name}
        groups.append((label, [(subject_value(i), i.name) for i in members]))
    return groups


def parse_breaks(text: str) -> list[str]:
    """Boundaries typed as ``10; 20; 30`` or ``2,5 5 7,5`` (decimal comma or point)."""
    return [part.replace(",", ".") for part in SEPARATORS.split(text.strip()) if part]


class ScoreMapForm(StyledForm):
    """Filled from the page's query string; the choices come from what the person may
    see (models, indicators), the years of the chosen subject and the gemeenten of that
    boundary year."""

    kaart = forms.ChoiceField(label=_("Kaart van"))
    jaar = forms.TypedChoiceField(label=_("Jaar"), coerce=int)
    niveau = forms.ChoiceField(label=_("Niveau"), choices=LEVEL_CHOICES, initial=AreaKind.BUURT)
    gemeente = forms.ChoiceField(label=_("Gemeente"))
    vergelijk = forms.TypedChoiceField(
        label=_("Vergelijk met jaar"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Toont de verandering tussen de twee jaren."),
    )
    klassen = forms.ChoiceField(
        label=_("Klassen"), choices=CLASSING_CHOICES, required=False, widget=forms.RadioSelect
    )
    aantal = forms.IntegerField(
        label=_("Aantal klassen"), min_value=MIN_CLASSES, max_value=MAX_CLASSES, required=False
    )
    grenzen = forms.CharField(
        label=_("Grenzen"),
        required=False,
        max_length=200,
        help_text=_("Van laag naar hoog, gescheiden door puntkomma's, bijvoorbeeld 10; 20; 30."),
    )

    def __init__(self, *args, models=(), indicators=(), years=(), gemeenten=(), allow_compare=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_compare:
            # A signal already is a change since the previous measurement; the change of
            # its cell numbers between two years would mean nothing.
            del self.fields["vergelijk"]
        self.fields["kaart"].choices = subject_choices(models, indicators)
        # Years are labelled as text: a number label would be printed with a thousands
        # separator ("2.023").
        self.fields["jaar"].choices = [(y, str(y)) for y in years]
        if "vergelijk" in self.fields:
            self.fields["vergelijk"].choices = [("", _("niet vergelijken")), *((y, str(y)) for y in years)]
        self.fields["gemeente"].choices = [(NATIONAL, _("heel Nederland")), *gemeenten]

    def clean_klassen(self):
        return self.cleaned_data.get("klassen") or "quantile"

    def clean_aantal(self):
        return self.cleaned_data.get("aantal") or 5

    def clean(self):
        data = super().clean()
        if data.get("klassen") == "fixed" and data.get("kaart", "").startswith("indicator:"):
            try:
                data["breaks"] = validate_breaks(parse_breaks(data.get("grenzen", "")))
            except ValidationError as exc:
                self.add_error("grenzen", exc)
        else:
            data["breaks"] = None
        compare = data.get("vergelijk")
        if "vergelijk" not in self.fields or (compare is not None and compare == data.get("jaar")):
            data["vergelijk"] = None
        return data

    def scope(self) -> dict:
        gemeente = self.cleaned_data["gemeente"]
        return {"gemeente": "" if gemeente == NATIONAL else gemeente}
