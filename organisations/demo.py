"""Demo organisations and one person per persona, all with the same demo password.

The platform admin and the beheerder must sign in with a second factor; their
authenticator app has the published demo secret (``core.two_factor.DEMO_TOTP_SECRET``),
so ``manage.py demo_code`` gives the code of the moment."""

from django.contrib.auth import get_user_model

from core.services import second_factor_install_known
from core.two_factor import DEMO_TOTP_SECRET
from organisations import services
from organisations.models import Membership, Organisation, Role

DEMO_PASSWORD = "wijkkoers-demo"

ORGANISATIONS = [
    ("Gemeente Velsen", Organisation.Kind.GEMEENTE, "GM0453"),
    ("Woningcorporatie Velserduin", Organisation.Kind.CORPORATIE, "GM0453"),
    ("Huurdersvereniging Velsen", Organisation.Kind.HUURDERSORGANISATIE, "GM0453"),
    ("Stichting Welzijn IJmond", Organisation.Kind.PARTNER, "GM0453"),
    ("Gemeente Haarlem", Organisation.Kind.GEMEENTE, "GM0392"),
]

# (e-mail, name, persona, organisation, role)
PERSONAS = [
    (
        "corporatie@demo.wijkkoers.nl",
        "Carla Corporatie",
        "corporatie-bewerker",
        "Woningcorporatie Velserduin",
        Role.BEWERKER,
    ),
    (
        "beheerder@demo.wijkkoers.nl",
        "Bram Beheerder",
        "organisatiebeheerder",
        "Woningcorporatie Velserduin",
        Role.BEHEERDER,
    ),
    (
        "gemeente@demo.wijkkoers.nl",
        "Gerda Gemeente",
        "gemeente-beoordelaar",
        "Gemeente Velsen",
        Role.BEWERKER,
    ),
    (
        "huurders@demo.wijkkoers.nl",
        "Hans Huurder",
        "huurdersvertegenwoordiger",
        "Huurdersvereniging Velsen",
        Role.BEWERKER,
    ),
    (
        "partner@demo.wijkkoers.nl",
        "Petra Partner",
        "lezer maatschappelijke partner",
        "Stichting Welzijn IJmond",
        Role.LEZER,
    ),
    (
        "buiten@demo.wijkkoers.nl",
        "Otto Buitenstaander",
        "buitenstaander (andere gemeente)",
        "Gemeente Haarlem",
        Role.BEWERKER,
    ),
]
PLATFORM_ADMIN = ("platform@demo.wijkkoers.nl", "Paula Platform", "platformbeheerder")


def seed(*, log):
    User = get_user_model()
    email, name, _persona = PLATFORM_ADMIN
    admin = User.objects.filter(email=email).first()
    if admin is None:
        admin = User.objects.create_superuser(email, DEMO_PASSWORD, full_name=name)
    second_factor_install_known(user=admin, secret=DEMO_TOTP_SECRET)

    organisations = {}
    for org_name, kind, code in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=org_name).first()
        if organisation is None:
            organisation = services.organisation_create(
                actor=admin, name=org_name, kind=kind, gemeente_code=code
            )
        organisations[org_name] = organisation

    for email, name, _persona, org_name, role in PERSONAS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
        organisation = organisations[org_name]
        if not Membership.objects.filter(user=user, organisation=organisation).exists():
            services.membership_add(actor=admin, organisation=organisation, user=user, role=role)
        if role == Role.BEHEERDER:
            second_factor_install_known(user=user, secret=DEMO_TOTP_SECRET)


def summary(*, log):
    """The demo logins, printed last so they stand right above the server's start."""
    logins = [(PLATFORM_ADMIN[2], PLATFORM_ADMIN[0])] + [(p[2], p[0]) for p in PERSONAS]
    log("")
    log(f"Demo-logins (wachtwoord voor allemaal: {DEMO_PASSWORD}):")
    for persona, email in logins:
        log(f"  {persona:<34} {email}")
    log("")
    log("De platformbeheerder en de organisatiebeheerder loggen in met een tweede stap:")
    log("  de code van dit moment geeft `.venv/bin/python manage.py demo_code`, of zet de")
    log(f"  sleutel {DEMO_TOTP_SECRET} in een authenticator-app.")
    log("")
