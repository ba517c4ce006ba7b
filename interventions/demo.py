"""Demo area teams for three Velsen wijken, their urgency for 2024 and 2025, a dozen
interventions in every state with a dated timeline, and a wijkgesprek per team whose
first action became an intervention. Idempotent; needs the Velsen areas of
the areas demo and the organisations and people of the organisations demo.

Dates are counted back from today, so the timelines stay realistic whenever the demo is
loaded.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from areas.models import Area, AreaKind
from interventions import selectors, services
from interventions.models import (
    AreaTeam,
    Intervention,
    NotificationPreference,
    UrgencyAssessment,
    Wijkgesprek,
)

GEMEENTE = "Gemeente Velsen"
CORPORATIE = "Woningcorporatie Velserduin"
HUURDERS = "Huurdersvereniging Velsen"
WELZIJN = "Stichting Welzijn IJmond"

CARLA = "corporatie@demo.wijkkoers.nl"
GERDA = "gemeente@demo.wijkkoers.nl"
BRAM = "beheerder@demo.wijkkoers.nl"
PAULA = "platform@demo.wijkkoers.nl"

# wijk code → (team name, creator, [(organisation, team role)], description)
TEAMS = {
    "WK045301": (
        "Gebiedsteam IJmuiden-Noord",
        BRAM,
        [(CORPORATIE, "trekker"), (GEMEENTE, "partner"), (WELZIJN, "partner"), (HUURDERS, "meelezer")],
        "Corporatie, gemeente en welzijn werken samen aan de oude buurten van IJmuiden-Noord, waar veel "
        "kleine sociale huurwoningen staan en de kwetsbaarheid toeneemt.",
    ),
    "WK045302": (
        "Gebiedsteam IJmuiden-Zuid",
        PAULA,
        [(GEMEENTE, "trekker"), (CORPORATIE, "partner"), (WELZIJN, "partner"), (HUURDERS, "meelezer")],
        "Wijkaanpak IJmuiden-Zuid: veiligheid rond Velseroord, groen en meedoen in de Vogelbuurt en "
        "Schildersbuurt.",
    ),
    "WK045305": (
        "Gebiedsteam Velsen-Noord",
        PAULA,
        [(GEMEENTE, "trekker"), (CORPORATIE, "partner"), (WELZIJN, "partner"), (HUURDERS, "meelezer")],
        "Gezond en prettig wonen naast de industrie: gezondheid, herstructurering en ontmoeting.",
    ),
}

# wijk code → {year: (urgency, rationale)}
URGENCY = {
    "WK045301": {
        2024: (
            "verhoogd",
            "Veerkracht daalt in de Zeeheldenbuurt en Heidebuurt; meer meldingen van overlast.",
        ),
        2025: (
            "hoog",
            "Meer huishoudens met schulden en Wmo-ondersteuning; overlast en onveiligheid stijgen mee.",
        ),
    },
    "WK045302": {
        2024: (
            "hoog",
            "Onveiligheidsgevoel rond Velseroord en het Plein 1945; woninginbraken boven het gemiddelde.",
        ),
        2025: ("verhoogd", "Na camera's en betere verlichting minder incidenten; kwetsbaarheid blijft hoog."),
    },
    "WK045305": {
        2024: (
            "acuut",
            "Gezondheidsklachten door de industrie, veel eenzaamheid en een verouderde woningvoorraad.",
        ),
        2025: (
            "hoog",
            "De gezondheidsaanpak loopt; de herstructurering van de Van Gelderbuurt moet nog beginnen.",
        ),
    },
}


def _d(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


# Each intervention: where, what, who, when (days ago; negative is in the future), the
# status path [(status, days ago, reason)] and progress updates [(days ago, text, %)].
INTERVENTIONS = [
    {
        "wijk": "WK045301",
        "title": "Achter de voordeur in de Zeeheldenbuurt",
        "description": "Huisbezoeken bij alle 412 huurders van Velserduin in de Zeeheldenbuurt: signalen van "
        "schulden, eenzaamheid en achterstallig onderhoud vroeg oppakken.",
        "theme": "wonen_zorg",
        "buurten": ["BU04530102"],
        "lead": CORPORATIE,
        "partners": [WELZIJN, GEMEENTE],
        "start": 210,
        "end": -150,
        "budget": "48000",
        "funder": "Woningcorporatie Velserduin en Gemeente Velsen (Wmo)",
        "indicators": ["p_wmo_t", "a_soz_wb"],
        "actor": CARLA,
        "path": [("gepland", 240, ""), ("in_uitvoering", 210, "")],
        "updates": [
            (180, "Eerste 90 huisbezoeken afgelegd; 14 huishoudens doorverwezen naar schuldhulp.", 20),
            (120, "Samen met het wijkteam 31 meldingen van vocht en schimmel opgepakt.", 45),
            (40, "Tweede ronde gestart in de Bellatrixstraat; respons 78%.", 65),
        ],
    },
    {
        "wijk": "WK045301",
        "title": "Renovatie en verduurzaming portiekflats Heidebuurt",
        "description": "132 portiekwoningen naar label B: isolatie, ventilatie, nieuwe entrees en een "
        "opgeknapte binnentuin, met een bewonerscommissie per blok.",
        "theme": "fysiek",
        "buurten": ["BU04530101"],
        "lead": CORPORATIE,
        "partners": [GEMEENTE],
        "start": -90,
        "end": -820,
        "budget": "2450000",
        "funder": "Woningcorporatie Velserduin, Volkshuisvestingsfonds",
        "indicators": ["g_wozbag"],
        "commitments": ["3.1"],
        "actor": CARLA,
        "path": [("gepland", 30, "")],
        "updates": [
            (60, "Bewonersavond: 70% van de huurders stemt in met het renovatieplan.", None),
            (20, "Aannemer gekozen; start bouw gepland na de zomer.", 5),
        ],
    },
    {
        # Finished before the latest measurement, so its evaluation shows the scores
        # before and after beside comparable buurten.
        "wijk": "WK045301",
        "title": "Wijkaanpak Lagersbuurt: schoon, heel en veilig",
        "description": "Drie jaar lang samen optrekken in de Lagersbuurt: achterstallig onderhoud van "
        "portieken, een buurtbeheerder, vaste spreekuren en vroegsignalering van schulden.",
        "theme": "leefbaarheid",
        "buurten": ["BU04530100"],
        "lead": GEMEENTE,
        "partners": [CORPORATIE, WELZIJN],
        "start": 1730,
        "end": 880,
        "budget": "420000",
        "funder": "Gemeente Velsen en Woningcorporatie Velserduin",
        "indicators": ["p_hh_li", "a_vernoo"],
        "commitments": ["4.1"],
        "actor": GERDA,
        "path": [("gepland", 1760, ""), ("in_uitvoering", 1730, ""), ("afgerond", 880, "")],
        "updates": [
            (1600, "Buurtbeheerder aan de slag; 60 portieken geschouwd.", 15),
            (1300, "Onderhoud aan 38 portieken klaar; spreekuur twee keer per week.", 50),
            (1000, "Meldingen van vernielingen gehalveerd ten opzichte van de start.", 85),
        ],
    },
    {
        "wijk": "WK045301",
        "title": "Buurtkamer Lagersbuurt",
        "description": "Een ontmoetingsplek in de plint van de Lagersflat, vijf dagdelen open, gerund door "
        "vrijwilligers met steun van het opbouwwerk.",
        "theme": "sociale_cohesie",
        "buurten": ["BU04530100"],
        "lead": WELZIJN,
        "partners": [CORPORATIE],
        "start": 520,
        "end": 100,
        "budget": "36500",
        "funder": "Gemeente Velsen (welzijnssubsidie), Woningcorporatie Velserduin (huurvrij)",
        "indicators": ["lbm_soc"],
        "actor": CARLA,
        "path": [("gepland", 560, ""), ("in_uitvoering", 520, ""), ("afgerond", 100, "")],
        "updates": [
            (480, "Ruimte ingericht met hulp van bewoners; twaalf vrijwilligers aangemeld.", 25),
            (330, "Gemiddeld 45 bezoekers per week; taalcafé en koffieochtend lopen goed.", 60),
            (150, "Vrijwilligers nemen het beheer over; opbouwwerk bouwt af.", 90),
        ],
    },
    {
        "wijk": "WK045301",
        "title": "Schuldhulp aan huis IJmuiden-Noord",
        "description": "Vroegsignalering van betalingsachterstanden (huur, energie, zorgverzekering) met een "
        "huisbezoek binnen vijf werkdagen.",
        "theme": "armoede",
        "buurten": [],
        "lead": GEMEENTE,
        "partners": [WELZIJN, CORPORATIE],
        "start": 300,
        "end": -60,
        "budget": "120000",
        "funder": "Gemeente Velsen (minimabeleid)",
        "indicators": ["a_soz_wb"],
        "commitments": ["2.3"],
        "actor": GERDA,
        "path": [("gepland", 330, ""), ("in_uitvoering", 300, "")],
        "updates": [
            (250, "Convenant vroegsignalering getekend met Velserduin en het energiebedrijf.", 15),
            (150, "168 signalen ontvangen, 94 huishoudens bereikt, 41 in een traject.", 50),
            (30, "Tussenevaluatie: huisuitzettingen wegens huurschuld gehalveerd.", 75),
        ],
    },
    {
        "wijk": "WK045302",
        "title": "Camera's en verlichting Velseroord",
        "description": "Tijdelijk cameratoezicht en betere straatverlichting rond het winkelcentrum, samen "
        "met extra inzet van handhaving in de avond.",
        "theme": "veiligheid",
        "buurten": ["BU04530203"],
        "lead": GEMEENTE,
        "partners": [CORPORATIE],
        "start": 640,
        "end": 280,
        "budget": "185000",
        "funder": "Gemeente Velsen (veiligheid)",
        "indicators": ["lbm_onv"],
        "actor": GERDA,
        "path": [("gepland", 700, ""), ("in_uitvoering", 640, ""), ("afgerond", 280, "")],
        "updates": [
            (600, "Zes camera's geplaatst; led-verlichting in de achterpaden.", 40),
            (420, "Meldingen van overlast 30% lager dan een jaar eerder.", 75),
        ],
    },
    {
        "wijk": "WK045302",
        "title": "Groene schoolpleinen Vogelbuurt",
        "description": "Twee schoolpleinen vergroenen en na schooltijd openstellen als speelplek voor de buurt.",
        "theme": "leefbaarheid",
        "buurten": ["BU04530201"],
        "lead": GEMEENTE,
        "partners": [WELZIJN],
        "start": -120,
        "end": -480,
        "budget": "90000",
        "funder": "Gemeente Velsen, Provincie Noord-Holland (Groen en Doen)",
        "indicators": ["lbm_fys"],
        "actor": GERDA,
        "path": [],
        "updates": [
            (45, "Eerste gesprek met beide scholen en de ouderraden.", None),
            (14, "Kinderen tekenden hun ideale plein; ontwerpbureau maakt twee schetsen.", None),
        ],
    },
    {
        "wijk": "WK045302",
        "title": "Bewonersbudget Schildersbuurt",
        "description": "Bewoners beslissen samen over € 25.000 voor kleine verbeteringen in hun straat.",
        "theme": "participatie",
        "buurten": ["BU04530205"],
        "lead": GEMEENTE,
        "partners": [WELZIJN],
        "start": 400,
        "end": 100,
        "budget": "25000",
        "funder": "Gemeente Velsen (wijkbudget)",
        "indicators": [],
        "actor": GERDA,
        "path": [
            ("gepland", 430, ""),
            ("in_uitvoering", 400, ""),
            ("gestopt", 200, "Te weinig aanmeldingen van bewoners; het budget gaat naar de wijkagenda."),
        ],
        "updates": [(330, "Twee inloopavonden gehouden; vier ideeën ingediend.", 20)],
    },
    {
        "wijk": "WK045302",
        "title": "Aanpak woningsplitsing en kamerverhuur Tussenbeeksbuurt",
        "description": "Controle op illegale splitsing en kamerverhuur, met een meldpunt voor bewoners.",
        "theme": "veiligheid",
        "buurten": ["BU04530200"],
        "lead": GEMEENTE,
        "partners": [CORPORATIE],
        "start": 150,
        "end": -210,
        "budget": "60000",
        "funder": "Gemeente Velsen (handhaving)",
        "indicators": ["lbm_onv", "lbm_won"],
        "actor": GERDA,
        "path": [("gepland", 180, ""), ("in_uitvoering", 150, "")],
        "updates": [
            (120, "Meldpunt geopend; 23 meldingen in de eerste maand.", 15),
            (45, "Acht panden gecontroleerd, drie last onder dwangsom opgelegd.", 40),
        ],
    },
    {
        "wijk": "WK045305",
        "title": "Gezondheidsaanpak Velsen-Noord",
        "description": "Samen met GGD en huisartsen: luchtkwaliteit meten, spreekuren over gezondheid en "
        "extra groen tussen de woningen en de industrie.",
        "theme": "wonen_zorg",
        "buurten": [],
        "lead": GEMEENTE,
        "partners": [WELZIJN, CORPORATIE],
        "start": 450,
        "end": -400,
        "budget": "650000",
        "funder": "Rijksoverheid (specifieke uitkering), GGD Kennemerland, Gemeente Velsen",
        "indicators": ["p_wmo_t"],
        "commitments": ["4.2"],
        "actor": GERDA,
        "path": [("gepland", 500, ""), ("in_uitvoering", 450, "")],
        "updates": [
            (400, "Twintig meetpunten voor fijnstof geplaatst; data openbaar op de website.", 10),
            (250, "Gezondheidsspreekuur in het wijkcentrum: 210 bezoekers in drie maanden.", 35),
            (90, "Groene buffer langs de Wijkermeerweg aangeplant.", 55),
        ],
    },
    {
        "wijk": "WK045305",
        "title": "Sloop-nieuwbouw Van Gelderbuurt fase 1",
        "description": "96 verouderde eengezinswoningen maken plaats voor 140 energiezuinige sociale "
        "huurwoningen; terugkeergarantie voor de huidige huurders.",
        "theme": "fysiek",
        "buurten": ["BU04530502"],
        "lead": CORPORATIE,
        "partners": [GEMEENTE],
        "start": -200,
        "end": -1100,
        "budget": "23900000",
        "funder": "Woningcorporatie Velserduin, Woningbouwimpuls",
        "indicators": ["a_woning", "p_wcorpw"],
        "commitments": ["1.1", "1.3"],
        "actor": CARLA,
        "path": [("gepland", 60, "")],
        "updates": [
            (90, "Sociaal plan vastgesteld met de huurdersvereniging.", None),
            (25, "Omgevingsvergunning aangevraagd.", 5),
        ],
    },
    {
        "wijk": "WK045305",
        "title": "Taalcafé en formulierenhulp Staalbuurt",
        "description": "Wekelijks taalcafé en hulp bij formulieren van toeslagen, gemeente en zorgverzekeraar.",
        "theme": "armoede",
        "buurten": ["BU04530506"],
        "lead": WELZIJN,
        "partners": [GEMEENTE],
        "start": 560,
        "end": 180,
        "budget": "18000",
        "funder": "Gemeente Velsen (laaggeletterdheid)",
        "indicators": ["a_soz_wb"],
        "actor": GERDA,
        "path": [("gepland", 590, ""), ("in_uitvoering", 560, ""), ("afgerond", 180, "")],
        "updates": [
            (500, "Vijftien vaste deelnemers; bibliotheek levert materiaal.", 30),
            (300, "Formulierenhulp 180 keer gebruikt, vooral voor toeslagen.", 70),
        ],
    },
    {
        "wijk": "WK045305",
        "title": "Jongerenwerk op straat Wijkermeerbuurt",
        "description": "Ambulant jongerenwerk op vrijdag- en zaterdagavond, gekoppeld aan een sportaanbod.",
        "theme": "veiligheid",
        "buurten": ["BU04530505"],
        "lead": WELZIJN,
        "partners": [GEMEENTE, CORPORATIE],
        "start": -30,
        "end": -395,
        "budget": "54000",
        "funder": "Gemeente Velsen (jeugd)",
        "indicators": ["lbm_onv"],
        "actor": GERDA,
        "path": [],
        "updates": [
            (50, "Verkenning met jongerenwerkers en wijkagenten: vooral overlast rond het Pontplein.", None),
            (12, "Sportvereniging wil de zaal op vrijdagavond beschikbaar stellen.", None),
        ],
    },
]

# wijk code → (days ago, actor, duiding, decisions, [actions], the first action's intervention)
GESPREKKEN = {
    "WK045301": (
        30,
        CARLA,
        "De veerkracht van de Zeeheldenbuurt en de Heidebuurt is weer een klasse gedaald. Achter de "
        "cijfers zien we vooral jonge huishoudens met schulden en ouderen die alleen wonen. Wat de "
        "cijfers niet laten zien: de bewonerscommissie van de Zeeheldenbuurt is sterk en wil zelf aan de "
        "slag met het plein.",
        "De urgentie voor 2025 blijft hoog. Het team zet in op vroegsignalering van schulden en op het "
        "plein als ontmoetingsplek.",
        [
            "Vroegsignalering van huurachterstanden samen met de schuldhulp van de gemeente",
            "Met de bewonerscommissie een plan maken voor het plein aan de Zeeheldenstraat",
        ],
        {
            "title": "Vroeg eropaf bij huurachterstand",
            "description": "Corporatie en schuldhulp bellen en bezoeken huurders bij de eerste achterstand.",
            "theme": "sociale_cohesie",
            "lead": CORPORATIE,
            "partners": [GEMEENTE],
            "budget": "18000",
            "funder": "Woningcorporatie Velserduin",
        },
    ),
    "WK045302": (
        45,
        GERDA,
        "Na de camera's en de betere verlichting rond Velseroord zijn er minder incidenten, maar het "
        "onveiligheidsgevoel blijft hoog. Bewoners noemen vooral de donkere looproutes naar het station.",
        "De urgentie gaat naar verhoogd. Het team wil weten of de daling blijvend is.",
        [
            "Een schouw van de looproutes met bewoners en politie",
            "Over een half jaar de meldingen opnieuw bekijken",
        ],
        {
            "title": "Schouw looproutes Velseroord",
            "description": "Samen met bewoners en politie de looproutes naar het station lopen en knelpunten vastleggen.",
            "theme": "veiligheid",
            "lead": GEMEENTE,
            "partners": [CORPORATIE],
            "budget": "2500",
            "funder": "Gemeente Velsen",
        },
    ),
    "WK045305": (
        20,
        GERDA,
        "De gezondheidsaanpak loopt, maar eenzaamheid onder ouderen neemt toe. In de Van Gelderbuurt "
        "wachten bewoners op duidelijkheid over de herstructurering; dat drukt op de leefbaarheid.",
        "Het team vraagt de corporatie om voor de zomer een planning van de herstructurering te delen.",
        [
            "Een wekelijkse ontmoetingsochtend voor ouderen in het buurthuis",
            "Bewonersavond over de planning van de herstructurering",
        ],
        {
            "title": "Ontmoetingsochtend voor ouderen",
            "description": "Elke week een ochtend koffie en activiteiten in het buurthuis, met de welzijnswerker.",
            "theme": "sociale_cohesie",
            "lead": WELZIJN,
            "partners": [GEMEENTE],
            "budget": "6000",
            "funder": "Gemeente Velsen",
        },
    ),
}


def _seed_gesprekken(teams, organisations, people) -> int:
    """One wijkgesprek per team, with actions; the first action became an intervention."""
    made = 0
    for code, (days, author, duiding, decisions, actions, follow_up) in GESPREKKEN.items():
        team = teams.get(code)
        if team is None or Wijkgesprek.objects.filter(team=team).exists():
            continue
        day = _d(days)
        gesprek = services.wijkgesprek_create(
            actor=people[author],
            team=team,
            date=day,
            year=day.year - 1,
            participants=[member.organisation for member in team.members.select_related("organisation")],
            duiding=duiding,
            decisions=decisions,
            actions=actions,
        )
        services.intervention_create(
            actor=people[author],
            team=team,
            title=follow_up["title"],
            description=follow_up["description"],
            theme=follow_up["theme"],
            areas=[team.area],
            lead_organisation=organisations[follow_up["lead"]],
            partner_organisations=[organisations[name] for name in follow_up["partners"]],
            start_date=day,
            budget=Decimal(follow_up["budget"]),
            funder=follow_up["funder"],
            from_action=gesprek.actions.order_by("created_at", "pk").first(),
        )
        made += 1
    return made


def _wijk(code):
    """The wijk of the demo's boundary year (2022 when present, else the newest)."""
    wijken = Area.objects.filter(code=code, kind=AreaKind.WIJK)
    return wijken.filter(year=2022).first() or wijken.order_by("-year").first()


def seed(*, log):
    from organisations.models import Organisation

    User = get_user_model()
    if not Area.objects.filter(kind=AreaKind.WIJK, code__in=list(TEAMS)).exists():
        log("Interventies: geen Velsense wijken gevonden (laad eerst de gebieden); overgeslagen.")
        return
    organisations = {
        o.name: o for o in Organisation.objects.filter(name__in=[GEMEENTE, CORPORATIE, HUURDERS, WELZIJN])
    }
    people = {u.email: u for u in User.objects.filter(email__in=[CARLA, GERDA, BRAM, PAULA])}
    if len(organisations) < 4 or len(people) < 4:
        log("Interventies: demo-organisaties of -personen ontbreken; overgeslagen.")
        return

    # The demo people read their team news in the daily overview, so loading the demo does
    # not send a mail per event.
    for user in User.objects.filter(memberships__organisation__in=organisations.values()).distinct():
        if not NotificationPreference.objects.filter(user=user).exists():
            services.preference_set(actor=user, mode=NotificationPreference.Mode.DIGEST)

    teams, created = {}, {"teams": 0, "urgency": 0, "interventions": 0}
    for code, (name, creator, members, description) in TEAMS.items():
        area = _wijk(code)
        if area is None:
            log(f"Interventies: wijk {code} ontbreekt; team overgeslagen.")
            continue
        team = AreaTeam.objects.filter(area=area).first()
        if team is None:
            team = services.team_create(
                actor=people[creator],
                area=area,
                name=name,
                members=[(organisations[org], role) for org, role in members],
                description=description,
            )
            created["teams"] += 1
        teams[code] = team
        for year, (urgency, rationale) in URGENCY[code].items():
            if not UrgencyAssessment.objects.filter(team=team, year=year).exists():
                services.urgency_record(
                    actor=people[GERDA], team=team, year=year, urgency=urgency, rationale=rationale
                )
                created["urgency"] += 1

    for item in INTERVENTIONS:
        team = teams.get(item["wijk"])
        if team is None or Intervention.objects.filter(team=team, title=item["title"]).exists():
            continue
        _seed_intervention(team, item, organisations, people[item["actor"]])
        created["interventions"] += 1
    created["gesprekken"] = _seed_gesprekken(teams, organisations, people)
    log(
        "Interventies: {teams} gebiedsteams, {urgency} urgenties, {interventions} interventies en "
        "{gesprekken} wijkgesprekken aangemaakt.".format(**created)
    )


def _commitments(team, numbers, actor):
    """The commitments with these numbers in the agreements of the team's gemeente (none
    when the agreements demo is not loaded)."""
    if not numbers:
        return []
    return list(selectors.offered_commitments(user=actor, team=team).filter(number__in=numbers))


def _seed_intervention(team, item, organisations, actor):
    buurten = (
        list(Area.objects.filter(code__in=item["buurten"], year=team.area.year)) if item["buurten"] else []
    )
    intervention = services.intervention_create(
        actor=actor,
        team=team,
        title=item["title"],
        description=item["description"],
        theme=item["theme"],
        areas=buurten or [team.area],
        lead_organisation=organisations[item["lead"]],
        partner_organisations=[organisations[name] for name in item["partners"]],
        start_date=_d(item["start"]),
        end_date=_d(item["end"]),
        budget=Decimal(item["budget"]),
        funder=item["funder"],
        indicators=item["indicators"],
        commitments=_commitments(team, item.get("commitments", ()), actor),
    )
    # Replay the timeline in date order: status changes and progress updates.
    events = [(days, "status", (status, reason)) for status, days, reason in item["path"]]
    events += [(days, "update", (text, progress)) for days, text, progress in item["updates"]]
    for days, kind, payload in sorted(events, key=lambda event: -event[0]):
        if kind == "status":
            status, reason = payload
            intervention = services.intervention_change_status(
                actor=actor,
                intervention=intervention,
                to_status=status,
                version=intervention.version,
                reason=reason,
                date=_d(days),
            )
        else:
            text, progress = payload
            services.progress_add(
                actor=actor, intervention=intervention, date=_d(days), text=text, progress=progress
            )
    return intervention
