"""The choice of the year and the year to compare with, on the report page and in the API."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CompareForm(forms.Form):
    """``vergelijk``: empty for each model's previous measurement, else an earlier year
    among the years a report exists for."""

    vergelijk = forms.TypedChoiceField(
        label=_("Vergelijken met"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _("Vergelijk met een eerder jaar uit de lijst; %(value)s kan niet."),
        },
    )

    def __init__(self, *args, year: int, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vergelijk"].choices = [("", _("de vorige meting"))] + [
            (str(y), str(y)) for y in years if y < year
        ]


class YearChoiceForm(forms.Form):
    """The year select of the page (sent to the code's address, which redirects)."""

    jaar = forms.TypedChoiceField(
        label=_("Jaar"),
        coerce=int,
        error_messages={"invalid_choice": _("Kies een jaar uit de lijst.")},
    )
    vergelijk = forms.CharField(required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jaar"].choices = [(str(y), str(y)) for y in years]
