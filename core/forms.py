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
