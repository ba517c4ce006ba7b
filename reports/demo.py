"""Demo work in 2025, so the year report of Velsen 2025 (compared with 2024) and of each
demo wijk with a team is complete: per team a wijkgesprek held in 2025, and interventions
that started, ran, finished and stopped in 2025 with their progress updates.

The other demos date their timelines back from today; these are fixed dates in 2025, so
the 2025 report keeps its content whenever the demo is loaded. They go through the same
services (``interventions.demo``). Idempotent: an intervention or wijkgesprek that is
already there is not made again.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from interventions import demo as interventions_demo
from interventions import services
from interventions.models import AreaTeam, Intervention, Wijkgesprek

YEAR = 2025
CARLA, GERDA = interventions_demo.CARLA, interventions_demo.GERDA
GEMEENTE, CORPORATIE, WELZIJN = (
    interventions_demo.GEMEENTE,
    interventions_demo.CORPORATIE,
    interventions_demo.WELZIJN,
)

# As in interventions.demo, with dates instead of days ago: the status path
# [(status, date, reason)] and updates [(date, text, %)].
INTERVENTIONS = [
    {
        "wijk": "WK045301",
        "title": "Speelplein Zeeheldenbuurt opgeknapt",
        "description": "Met de bewonerscommissie het plein aan de Zeeheldenstraat heringericht: nieuwe "
        "speeltoestellen, bankjes en een jeu-de-boulesbaan.",
        "theme": "fysiek",
        "buurten": ["BU04530102"],
        "lead": CORPORATIE,
        "partners": [GEMEENTE],
        "start": datetime.date(2025, 3, 3),
        "end": datetime.date(2025, 10, 31),
        "budget": "65000",
        "funder": "Woningcorporatie Velserduin en Gemeente Velsen",
        "indicators": ["lbm_fys"],
        "actor": CARLA,
        "path": [
            ("gepland", datetime.date(2025, 2, 10), ""),
            ("in_uitvoering", datetime.date(2025, 3, 3), ""),
            ("afgerond", datetime.date(2025, 11, 7), ""),
        ],
        "updates": [
            (datetime.date(2025, 5, 20), "Ontwerp met de bewoners vastgesteld; aannemer gekozen.", 30),
            (datetime.date(2025, 8, 29), "Speeltoestellen geplaatst; de bankjes volgen in oktober.", 75),
        ],
    },
    {
        "wijk": "WK045302",
        "title": "Buurtpreventie-app Velseroord",
        "description": "Bewoners melden onveilige situaties in een buurtapp die de wijkagent en de "
        "handhavers meelezen.",
        "theme": "veiligheid",
        "buurten": [],
        "lead": GEMEENTE,
        "partners": [CORPORATIE],
        "start": datetime.date(2025, 2, 1),
        "end": datetime.date(2026, 6, 30),
        "budget": "12500",
        "funder": "Gemeente Velsen",
        "indicators": ["a_vernoo"],
        "actor": GERDA,
        "path": [
            ("gepland", datetime.date(2025, 1, 15), ""),
            ("in_uitvoering", datetime.date(2025, 2, 1), ""),
        ],
        "updates": [
            (datetime.date(2025, 6, 12), "240 deelnemers; de eerste meldingen over looproutes opgepakt.", 40),
            (
                datetime.date(2025, 11, 18),
                "Twee buurten erbij; meldingen worden binnen een week beantwoord.",
                70,
            ),
        ],
    },
    {
        "wijk": "WK045302",
        "title": "Zomerschool Schildersbuurt",
        "description": "Een zomerprogramma voor kinderen van 8 tot 12 jaar met huiswerkbegeleiding en sport.",
        "theme": "participatie",
        "buurten": [],
        "lead": WELZIJN,
        "partners": [GEMEENTE],
        "start": datetime.date(2025, 7, 7),
        "end": datetime.date(2025, 8, 15),
        "budget": "9000",
        "funder": "Gemeente Velsen",
        "indicators": [],
        "actor": GERDA,
        "path": [
            ("gepland", datetime.date(2025, 4, 1), ""),
            (
                "gestopt",
                datetime.date(2025, 6, 20),
                "Geen begeleiders gevonden; het programma gaat op in de brede school.",
            ),
        ],
        "updates": [],
    },
    {
        "wijk": "WK045305",
        "title": "Gezondheidsspreekuur Wijkerstraatweg",
        "description": "Een wekelijks inloopspreekuur van de GGD en de praktijkondersteuner in het buurthuis, "
        "over klachten die bewoners aan de industrie toeschrijven.",
        "theme": "wonen_zorg",
        "buurten": [],
        "lead": GEMEENTE,
        "partners": [WELZIJN],
        "start": datetime.date(2024, 9, 2),
        "end": datetime.date(2025, 11, 28),
        "budget": "30000",
        "funder": "Gemeente Velsen (gezondheidsbeleid)",
        "indicators": ["p_wmo_t"],
        "actor": GERDA,
        "path": [
            ("gepland", datetime.date(2024, 8, 1), ""),
            ("in_uitvoering", datetime.date(2024, 9, 2), ""),
            ("afgerond", datetime.date(2025, 12, 1), ""),
        ],
        "updates": [
            (
                datetime.date(2025, 3, 14),
                "Gemiddeld 14 bezoekers per week; vooral vragen over luchtkwaliteit.",
                45,
            ),
            (
                datetime.date(2025, 9, 30),
                "Verslag aan de raad; het spreekuur gaat op in de huisartsenpraktijk.",
                85,
            ),
        ],
    },
]

# wijk code → (date, author, duiding, decisions)
GESPREKKEN = {
    "WK045301": (
        datetime.date(2025, 10, 14),
        CARLA,
        "De Zeeheldenbuurt zakt verder: meer huishoudens met een laag inkomen en meer Wmo. Het opgeknapte "
        "plein wordt goed gebruikt; bewoners zeggen dat het contact in de straat beter is dan de cijfers laten zien.",
        "De urgentie blijft hoog. De corporatie en de gemeente bekijken samen de toewijzing in de Heidebuurt.",
    ),
    "WK045302": (
        datetime.date(2025, 11, 4),
        GERDA,
        "Minder vernielingen rond Velseroord sinds de buurtapp; de kwetsbaarheid in de Schildersbuurt blijft hoog. "
        "De zomerschool kwam er niet, kinderen misten een plek in de vakantie.",
        "Het team zoekt voor 2026 met de brede school een vervolg voor de zomer.",
    ),
    "WK045305": (
        datetime.date(2025, 9, 23),
        GERDA,
        "Het gezondheidsspreekuur bereikte vooral ouderen. De onzekerheid over de herstructurering van de "
        "Van Gelderbuurt drukt op de leefbaarheid; dat zien we nog niet terug in de cijfers.",
        "De corporatie deelt voor het eind van het jaar de planning van de herstructurering.",
    ),
}


def _days_ago(day: datetime.date) -> int:
    return (timezone.localdate() - day).days


def _as_relative(item: dict) -> dict:
    """The item in the shape ``interventions.demo`` seeds (days ago instead of dates)."""
    return {
        **item,
        "start": _days_ago(item["start"]),
        "end": _days_ago(item["end"]),
        "path": [(status, _days_ago(day), reason) for status, day, reason in item["path"]],
        "updates": [(_days_ago(day), text, progress) for day, text, progress in item["updates"]],
    }


def _teams() -> dict[str, AreaTeam]:
    teams = {}
    for code in interventions_demo.TEAMS:
        area = interventions_demo._wijk(code)
        team = AreaTeam.objects.filter(area=area).first() if area else None
        if team is not None:
            teams[code] = team
    return teams


def seed(*, log):
    from organisations.models import Organisation

    today = timezone.localdate()
    if today.year <= YEAR:
        log(f"Jaarbeeld: {YEAR} is nog niet voorbij; geen werk uit {YEAR} toegevoegd.")
        return
    teams = _teams()
    if not teams:
        log("Jaarbeeld: geen demo-gebiedsteams gevonden (laad eerst de interventies); overgeslagen.")
        return
    organisations = {o.name: o for o in Organisation.objects.filter(name__in=[GEMEENTE, CORPORATIE, WELZIJN])}
    people = {u.email: u for u in get_user_model().objects.filter(email__in=[CARLA, GERDA])}
    made = {"interventions": 0, "gesprekken": 0}
    for item in INTERVENTIONS:
        team = teams.get(item["wijk"])
        if team is None or Intervention.objects.filter(team=team, title=item["title"]).exists():
            continue
        interventions_demo._seed_intervention(team, _as_relative(item), organisations, people[item["actor"]])
        made["interventions"] += 1
    for code, (day, author, duiding, decisions) in GESPREKKEN.items():
        team = teams.get(code)
        if team is None or Wijkgesprek.objects.filter(team=team, date=day).exists():
            continue
        services.wijkgesprek_create(
            actor=people[author],
            team=team,
            date=day,
            year=YEAR,
            participants=[member.organisation for member in team.members.select_related("organisation")],
            duiding=duiding,
            decisions=decisions,
            actions=[],
        )
        made["gesprekken"] += 1
    log(
        "Jaarbeeld {year}: {interventions} interventies en {gesprekken} wijkgesprekken uit {year} "
        "toegevoegd; zie /jaarbeeld/GM0453/{year}/.".format(year=YEAR, **made)
    )
