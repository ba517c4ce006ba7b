from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

# NL Design System (Utrecht) classes per widget kind; the first match wins, so the more
# specific widget comes first (a checkbox list is a kind of radio list).
WIDGET_CLASSES = (
    (forms.CheckboxSelectMultiple, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.RadioSelect, "utrecht-radio-button utrecht-radio-button--html-input"),
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.Select, "utrecht-select utrecht-select--html-select"),
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea"),
    (forms.ClearableFileInput, "utrecht-textbox utrecht-textbox--html-input"),
    (forms.widgets.Input, "utrecht-textbox utrecht-textbox--html-input"),
)


class StyledFormMixin:
    """Gives every visible widget the Utrecht class of its kind, so every form in the
    product looks the same."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.widget.is_hidden:
                continue
            for widget_class, css in WIDGET_CLASSES:
                if isinstance(field.widget, widget_class):
                    field.widget.attrs.setdefault("class", css)
                    break


class StyledForm(StyledFormMixin, forms.Form):
    pass


def gemeente_codes_field():
    """Which gemeenten to fetch from a publisher (PDOK, CBS StatLine): codes separated by
    spaces or commas, empty for the whole country; ``core.fetching.clean_gemeente_codes``
    reads them."""
    return forms.CharField(
        label=_("Gemeenten"),
        required=False,
        max_length=2000,
        help_text=_(
            "Gemeentecodes gescheiden door spaties of komma's, bijvoorbeeld GM0453 GM0392. Leeg: heel Nederland."
        ),
    )


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    pass


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class EmailAuthenticationForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mailadres"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "Deze combinatie van e-mailadres en wachtwoord kennen we niet. Controleer beide en "
            "probeer het opnieuw, of vraag een nieuw wachtwoord aan."
        ),
        "inactive": _("Dit account is uitgeschakeld. Neem contact op met de beheerder van uw organisatie."),
    }

    def clean_username(self):
        # Addresses are case-insensitive; normalise before authenticate() so the sign-in
        # rate limit (django-axes, keyed on these credentials) cannot be dodged by case.
        return (self.cleaned_data.get("username") or "").strip().lower()


class SecondFactorCodeForm(StyledForm):
    """The code of the second step: six digits from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("De zes cijfers die uw authenticator-app nu toont, of een van uw herstelcodes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SecondFactorSetupForm(StyledForm):
    code = forms.CharField(
        label=_("Code uit de app"),
        max_length=10,
        help_text=_(
            "De zes cijfers die de app toont nadat u de QR-code heeft gescand of de sleutel heeft ingetypt."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class SecondFactorResetForm(StyledForm):
    email = forms.EmailField(
        label=_("E-mailadres van de persoon"),
        help_text=_(
            "De app en de herstelcodes van deze persoon worden verwijderd. Moet de persoon met een "
            "tweede stap inloggen, dan stelt die bij de volgende keer inloggen een nieuwe app in."
        ),
    )

    def clean_email(self):
        from django.contrib.auth import get_user_model

        email = get_user_model().objects.normalize_email(self.cleaned_data["email"])
        user = get_user_model().objects.filter(email=email).first()
        if user is None:
            raise forms.ValidationError(_("Er is geen account met dit e-mailadres. Controleer het adres."))
        self.user = user
        return email
