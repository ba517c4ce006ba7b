"""Demo prestatieafspraken for Velsen: a signed agreement 2025–2028 between the gemeente,
the corporation and the tenants, twenty commitments across the six themes, monitoring over
2025 in every state, one dispute, and the corporation's bod for 2026 with two proposals.

Everything goes through the services, as the people of the demo would do it; nobody is
mailed (``services.without_mail``). Running it again changes nothing.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model

from agreements import services
from agreements.models import Agreement, Bod, MonitoringReport, Theme
from organisations.models import Organisation

TITLE = "Prestatieafspraken Velsen 2025–2028"
GEMEENTE_CODE = "GM0453"
GEMEENTE = "Gemeente Velsen"
CORPORATION = "Woningcorporatie Velserduin"
TENANTS = "Huurdersvereniging Velsen"

# Demo people (organisations/demo.py): who acts for which organisation.
CORPORATION_EDITOR = "corporatie@demo.wijkkoers.nl"
CORPORATION_BEHEERDER = "beheerder@demo.wijkkoers.nl"
GEMEENTE_EDITOR = "gemeente@demo.wijkkoers.nl"
TENANTS_EDITOR = "huurders@demo.wijkkoers.nl"

# (number, theme, responsible, text, target value, unit, target year, buurt codes 2022)
COMMITMENTS = [
    (
        "1.1",
        Theme.BESCHIKBAARHEID,
        "corporatie",
        "Velserduin bouwt 150 nieuwe sociale huurwoningen, vooral in IJmuiden, waarvan een derde "
        "geschikt voor ouderen.",
        150,
        "sociale huurwoningen",
        2027,
        ["BU04530203", "BU04530300"],
    ),
    (
        "1.2",
        Theme.BESCHIKBAARHEID,
        "gemeente",
        "De gemeente wijst bouwlocaties aan voor 300 woningen, waarvan minstens 30% sociale huur, "
        "en zorgt dat de bestemmingsplannen op tijd klaar zijn.",
        300,
        "woningen in vastgestelde plannen",
        2026,
        [],
    ),
    (
        "1.3",
        Theme.BESCHIKBAARHEID,
        "corporatie",
        "De sociale huurvoorraad van Velserduin in Velsen blijft minstens 8.500 woningen; sloop en "
        "verkoop worden gecompenseerd door nieuwbouw.",
        8500,
        "sociale huurwoningen in bezit",
        2028,
        [],
    ),
    (
        "1.4",
        Theme.BESCHIKBAARHEID,
        "corporatie",
        "Velserduin plaatst 30 flexwoningen voor spoedzoekers op twee tijdelijke locaties.",
        30,
        "flexwoningen",
        2026,
        [],
    ),
    (
        "2.1",
        Theme.BETAALBAARHEID,
        "corporatie",
        "De gemiddelde huurverhoging blijft elk jaar op of onder de inflatie; huurders met een laag "
        "inkomen krijgen op verzoek een huurbevriezing.",
        None,
        "",
        None,
        [],
    ),
    (
        "2.2",
        Theme.BETAALBAARHEID,
        "corporatie",
        "Minstens 80% van de vrijkomende sociale huurwoningen gaat naar huishoudens met een inkomen "
        "tot de huurtoeslaggrens.",
        80,
        "procent van de toewijzingen",
        2025,
        [],
    ),
    (
        "2.3",
        Theme.BETAALBAARHEID,
        "gemeente",
        "Gemeente en corporatie signaleren huurachterstanden vroeg en bieden samen schuldhulp aan; "
        "doel is hoogstens vijf huisuitzettingen per jaar wegens huurschuld.",
        5,
        "huisuitzettingen (hoogstens)",
        2026,
        [],
    ),
    (
        "3.1",
        Theme.KWALITEIT,
        "corporatie",
        "Velserduin brengt 400 woningen naar minimaal energielabel B, te beginnen in Zee- en Duinwijk.",
        400,
        "woningen naar label B",
        2028,
        ["BU04530401", "BU04530402"],
    ),
    (
        "3.2",
        Theme.KWALITEIT,
        "corporatie",
        "Eind 2026 heeft Velserduin geen woningen meer met energielabel E, F of G.",
        0,
        "woningen met label E, F of G",
        2026,
        [],
    ),
    (
        "3.3",
        Theme.KWALITEIT,
        "corporatie",
        "In Velserbroek krijgen 120 grondgebonden woningen een warmtepomp en vloerisolatie.",
        120,
        "woningen aardgasvrij-gereed",
        2027,
        ["BU04530800", "BU04530801"],
    ),
    (
        "3.4",
        Theme.KWALITEIT,
        "huurders",
        "De huurdersvereniging organiseert bij elk renovatieproject een bewonersavond en geeft "
        "advies over het sociaal plan voordat de uitvoering begint.",
        None,
        "",
        None,
        [],
    ),
    (
        "4.1",
        Theme.LEEFBAARHEID,
        "corporatie",
        "Velserduin zet twee buurtbeheerders in voor Zeewijk en IJmuiden-Noord, met een vast "
        "spreekuur in het wijkcentrum.",
        2,
        "buurtbeheerders (fte)",
        2025,
        ["BU04530400", "BU04530403"],
    ),
    (
        "4.2",
        Theme.LEEFBAARHEID,
        "gemeente",
        "Gemeente en corporatie starten een gezamenlijke wijkaanpak in Velsen-Noord, met "
        "achter-de-voordeur-bezoeken en herinrichting van de openbare ruimte.",
        None,
        "",
        None,
        ["BU04530500", "BU04530501", "BU04530502"],
    ),
    (
        "4.3",
        Theme.LEEFBAARHEID,
        "huurders",
        "Elk complex met meer dan 50 woningen heeft een actieve bewonerscommissie.",
        12,
        "bewonerscommissies",
        2027,
        [],
    ),
    (
        "5.1",
        Theme.WONEN_ZORG,
        "corporatie",
        "Velserduin maakt 50 bestaande woningen nultredengeschikt (traplift, drempels weg, "
        "aangepaste badkamer).",
        50,
        "nultredenwoningen",
        2027,
        [],
    ),
    (
        "5.2",
        Theme.WONEN_ZORG,
        "gemeente",
        "De gemeente en Velserduin houden elk jaar 15 woningen beschikbaar voor uitstroom uit "
        "beschermd wonen en de maatschappelijke opvang, met begeleiding vanuit de gemeente.",
        15,
        "woningen voor uitstroom",
        2025,
        [],
    ),
    (
        "5.3",
        Theme.WONEN_ZORG,
        "corporatie",
        "Velserduin verkent met zorgaanbieders een woonzorgcirkel rond het dorpshart van Santpoort.",
        None,
        "",
        None,
        ["BU04530603"],
    ),
    (
        "6.1",
        Theme.DOELGROEPEN,
        "corporatie",
        "Velserduin huisvest het aandeel statushouders dat past bij de taakstelling van de gemeente.",
        60,
        "statushouders gehuisvest",
        2025,
        [],
    ),
    (
        "6.2",
        Theme.DOELGROEPEN,
        "gemeente",
        "De gemeente regelt voor elke gehuisveste statushouder een jaar begeleiding bij wonen, taal en werk.",
        None,
        "",
        None,
        [],
    ),
    (
        "6.3",
        Theme.DOELGROEPEN,
        "corporatie",
        "Velserduin verhuurt 20 woningen aan jongeren tot 23 jaar met een jongerencontract van vijf jaar.",
        20,
        "jongerenwoningen",
        2026,
        [],
    ),
]

DISPUTE = (
    "4.2",
    "De huurders zijn niet betrokken bij de keuze van de buurten voor de wijkaanpak. Wij willen "
    "eerst een gesprek met de bewonerscommissies van Velsen-Noord.",
)

# Monitoring over 2025: (number, realised, progress, explanation, state, review comment)
REPORTS_2025 = [
    (
        "1.1",
        40,
        "op_koers",
        "Twee projecten opgeleverd: 24 woningen in Velseroord en 16 in de Moerbergbuurt. "
        "De bouw van 60 woningen is gestart.",
        "goedgekeurd",
        "Mooie voortgang.",
    ),
    ("1.3", 8512, "op_koers", "Voorraad op 31 december 2025.", "goedgekeurd", ""),
    (
        "1.4",
        18,
        "risico",
        "De eerste locatie (18 woningen) is bewoond. De vergunning voor de tweede locatie loopt vertraging op.",
        "teruggestuurd",
        "Graag de nieuwe planning voor de tweede locatie toevoegen.",
    ),
    (
        "2.2",
        83,
        "gerealiseerd",
        "Van de 412 toewijzingen gingen er 342 naar de doelgroep.",
        "ingediend",
        "",
    ),
    (
        "2.3",
        4,
        "op_koers",
        "Vier huisuitzettingen wegens huurschuld; 96 huishoudens geholpen via vroegsignalering.",
        "ingediend",
        "",
    ),
    (
        "3.1",
        95,
        "op_koers",
        "95 woningen in de Canopusbuurt en de Saturnusbuurt naar label B of beter.",
        "ingediend",
        "",
    ),
    (
        "3.2",
        12,
        "achter",
        "Nog twaalf woningen met label E of lager: de bewoners weigerden de ingreep; in 2026 volgt "
        "een nieuwe ronde met een aangepast aanbod.",
        "concept",
        "",
    ),
    ("4.1", 2, "gerealiseerd", "Beide buurtbeheerders zijn sinds maart aan het werk.", "goedgekeurd", ""),
    (
        "4.3",
        7,
        "risico",
        "Zeven commissies actief; in vier complexen zoeken we nog bewoners.",
        "concept",
        "",
    ),
    (
        "5.1",
        10,
        "achter",
        "Tien woningen aangepast.",
        "teruggestuurd",
        "De toelichting mist de oorzaak van de achterstand en wat u eraan doet.",
    ),
    (
        "6.1",
        58,
        "op_koers",
        "58 statushouders gehuisvest, twee minder dan de taakstelling door late koppelingen.",
        "goedgekeurd",
        "",
    ),
]

COMMENT = (
    "3.1",
    "Bewoners van de Canopusbuurt zijn tevreden over de aanpak, maar vragen om betere planning.",
)

BOD_YEAR = 2026
BOD_SUMMARY = (
    "Ons bod voor 2026: doorgaan met nieuwbouw in IJmuiden en versnellen van de verduurzaming "
    "in Zee- en Duinwijk."
)
PROPOSALS = [
    (
        "B1",
        Theme.BESCHIKBAARHEID,
        "In 2026 start de bouw van 60 sociale huurwoningen in Velseroord.",
        60,
        "sociale huurwoningen",
        2026,
        ["BU04530203"],
    ),
    (
        "B2",
        Theme.KWALITEIT,
        "In 2026 gaan 100 woningen in Zeewijk naar label B.",
        100,
        "woningen naar label B",
        2026,
        ["BU04530401"],
    ),
]


def _areas(codes, cache):
    from areas.models import Area

    missing = [code for code in codes if code not in cache]
    if missing:
        cache.update({a.code: a for a in Area.objects.filter(year=2022, code__in=missing)})
    return [cache[code] for code in codes if code in cache]


def _seed_agreement(people, orgs, log):
    corp_editor, beheerder, gemeente_editor, tenants_editor = people
    area_cache = {}
    agreement = services.agreement_create(
        actor=beheerder,
        title=TITLE,
        gemeente_code=GEMEENTE_CODE,
        start_year=2025,
        end_year=2028,
        parties=[(orgs["gemeente"], ""), (orgs["corporatie"], ""), (orgs["huurders"], "")],
        summary=(
            "Afspraken tussen de gemeente Velsen, Woningcorporatie Velserduin en Huurdersvereniging "
            "Velsen over beschikbaarheid, betaalbaarheid, verduurzaming, leefbaarheid, wonen en zorg "
            "en bijzondere doelgroepen."
        ),
    )
    commitments = {}
    for number, theme, responsible, text, value, unit, year, codes in COMMITMENTS:
        commitments[number] = services.commitment_create(
            actor=corp_editor,
            agreement=agreement,
            number=number,
            theme=theme,
            text=text,
            responsible=orgs[responsible],
            target_value=Decimal(value) if value is not None else None,
            target_unit=unit,
            target_year=year,
            areas=_areas(codes, area_cache),
        )
    agreement.refresh_from_db()
    services.agreement_transition(
        actor=beheerder, agreement=agreement, to_status="onderhandeling", version=agreement.version
    )
    for signer in (corp_editor, gemeente_editor, tenants_editor):
        services.agreement_sign(actor=signer, agreement=agreement)

    number, note = DISPUTE
    services.commitment_dispute(actor=tenants_editor, commitment=commitments[number], note=note)

    reporter = {"corporatie": corp_editor, "gemeente": gemeente_editor, "huurders": tenants_editor}
    responsible_of = {row[0]: row[2] for row in COMMITMENTS}
    for number, realised, progress, explanation, state, review in REPORTS_2025:
        actor = reporter[responsible_of[number]]
        report = services.report_save_draft(
            actor=actor,
            commitment=commitments[number],
            year=2025,
            realised_value=Decimal(realised),
            progress=progress,
            explanation=explanation,
        )
        if state == MonitoringReport.State.DRAFT:
            continue
        report = services.report_submit(actor=actor, report=report)
        if state == MonitoringReport.State.APPROVED:
            services.report_approve(actor=gemeente_editor, report=report, comment=review)
        elif state == MonitoringReport.State.RETURNED:
            services.report_return(actor=gemeente_editor, report=report, comment=review)
    number, text = COMMENT
    services.report_comment(
        actor=tenants_editor,
        report=MonitoringReport.objects.get(commitment=commitments[number], year=2025),
        text=text,
    )
    log(
        f"Prestatieafspraak: {TITLE} (ondertekend, {len(commitments)} afspraken, "
        f"{len(REPORTS_2025)} monitoringrapportages over 2025)"
    )
    return agreement


def _seed_bod(people, orgs, log):
    corp_editor = people[0]
    area_cache = {}
    bod = services.bod_create(
        actor=corp_editor,
        corporation=orgs["corporatie"],
        gemeente_code=GEMEENTE_CODE,
        year=BOD_YEAR,
        summary=BOD_SUMMARY,
        recipients=[orgs["gemeente"], orgs["huurders"]],
    )
    for number, theme, text, value, unit, year, codes in PROPOSALS:
        services.commitment_create(
            actor=corp_editor,
            bod=bod,
            number=number,
            theme=theme,
            text=text,
            responsible=orgs["corporatie"],
            target_value=Decimal(value),
            target_unit=unit,
            target_year=year,
            areas=_areas(codes, area_cache),
        )
    services.bod_submit(actor=corp_editor, bod=bod)
    log(f"Bod {BOD_YEAR} van {CORPORATION}: ingediend met {len(PROPOSALS)} voorstellen")


def seed(*, log):
    User = get_user_model()
    orgs = {
        key: Organisation.objects.filter(name=name).first()
        for key, name in (("gemeente", GEMEENTE), ("corporatie", CORPORATION), ("huurders", TENANTS))
    }
    emails = (CORPORATION_EDITOR, CORPORATION_BEHEERDER, GEMEENTE_EDITOR, TENANTS_EDITOR)
    by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
    if not all(orgs.values()) or len(by_email) < len(emails):
        log("Prestatieafspraken overgeslagen: de demo-organisaties en -personen ontbreken.")
        return
    people = [by_email[email] for email in emails]
    with services.without_mail():
        if not Agreement.objects.filter(title=TITLE, gemeente_code=GEMEENTE_CODE).exists():
            _seed_agreement(people, orgs, log)
        if not Bod.objects.filter(
            corporation=orgs["corporatie"], gemeente_code=GEMEENTE_CODE, year=BOD_YEAR
        ).exists():
            _seed_bod(people, orgs, log)
