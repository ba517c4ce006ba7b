from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
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
