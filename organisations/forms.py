from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from core.forms import StyledForm
from organisations.models import Organisation, Role


class OrganisationForm(StyledForm):
    name = forms.CharField(label=_("Naam"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort"), choices=Organisation.Kind.choices)
    gemeente_code = forms.RegexField(
        label=_("CBS-gemeentecode"),
        regex=r"^\s*[Gg][Mm]\d{4}\s*$",
        required=False,
        help_text=_("Bijvoorbeeld GM0453 voor Velsen."),
        error_messages={
            "invalid": _("Een gemeentecode is GM gevolgd door vier cijfers, bijvoorbeeld GM0453.")
        },
    )
    description = forms.CharField(
        label=_("Omschrijving"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class OrganisationCreateForm(OrganisationForm):
    beheerder_email = forms.EmailField(
        label=_("E-mailadres van de eerste beheerder"),
        required=False,
        help_text=_(
            "Heeft deze persoon al een account, dan wordt die meteen beheerder; anders krijgt die een uitnodiging."
        ),
    )


class OrganisationEditForm(OrganisationForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, can_change_kind=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_change_kind:
            self.fields["kind"].disabled = True


class InvitationForm(StyledForm):
    email = forms.EmailField(label=_("E-mailadres"))
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices, initial=Role.LEZER)


class AppointBeheerderForm(StyledForm):
    email = forms.EmailField(label=_("E-mailadres van de beheerder"))


class RoleForm(StyledForm):
    role = forms.ChoiceField(label=_("Rol"), choices=Role.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptInvitationForm(StyledForm):
    full_name = forms.CharField(label=_("Uw naam"), max_length=200)
    password1 = forms.CharField(
        label=_("Wachtwoord"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Wachtwoord nogmaals"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("De twee wachtwoorden zijn niet gelijk."))
        return data
