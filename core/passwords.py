"""Password rules (AUTH_PASSWORD_VALIDATORS in the settings)."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, with its refusal in plain Dutch: Django's own Dutch
    translation of that message does not match the text Django 5.2 asks for, so a person
    would read it in English."""

    def get_error_message(self):
        return ngettext(
            "Dit wachtwoord is te kort. Kies een wachtwoord van minstens %(min_length)d teken.",
            "Dit wachtwoord is te kort. Kies een wachtwoord van minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}
