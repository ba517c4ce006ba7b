"""Shared builders for intervention tests: a few Velsen (GM0453) and Haarlem (GM0392) areas
of 2022 as plain rows, an area team around a wijk for the personas' organisations, and
interventions made through the services.

The team of ``build_team(world)`` (around IJmuiden-Noord, WK045301):

| organisation                | team role | persona (organisation role)          |
| --------------------------- | --------- | ------------------------------------ |
| Woningcorporatie Velserduin | trekker   | corp_editor (bewerker), org_admin (beheerder) |
| Gemeente Velsen             | partner   | gemeente_reviewer (bewerker)         |
| Stichting Welzijn IJmond    | partner   | partner_reader (lezer)               |
| Huurdersvereniging Velsen   | meelezer  | tenant_rep (bewerker)                |

The outsider (Gemeente Haarlem) is not in it. ``build_intervention`` is led by the
corporation with the gemeente as partner, so corp_editor and gemeente_reviewer may edit it,
partner_reader and tenant_rep only read it, and org_admin may also delete it.
"""

import datetime
from decimal import Decimal

from areas.models import Area, AreaKind
from interventions import services
from interventions.models import TeamRole
from scores.models import Indicator, SourceKind

YEAR = 2022

VELSEN_WIJKEN = {
    "WK045301": ("Wijk 01 IJmuiden-Noord", {"BU04530100": "Lagersbuurt", "BU04530101": "Heidebuurt"}),
    "WK045302": ("Wijk 02 IJmuiden-Zuid", {"BU04530200": "Tussenbeeksbuurt", "BU04530201": "Vogelbuurt"}),
}


def kwb_indicator(key):
    """An indicator of the CBS kerncijfers in the installed catalogue, such as p_wcorpw."""
    return Indicator.objects.get(source__kind=SourceKind.CBS_KWB, key=key)


def area(*, code, name, kind, parent=None, year=YEAR, gemeente_code=None):
    """One Area row with only the fields the intervention rules look at (no shape)."""
    gemeente_code = gemeente_code or (parent.gemeente_code if parent else f"GM{code[2:6]}")
    row, _ = Area.objects.get_or_create(
        year=year,
        code=code,
        defaults={"kind": kind, "name": name, "parent": parent, "gemeente_code": gemeente_code},
    )
    return row


def velsen(year=YEAR):
    """Gemeente Velsen with two wijken of two buurten each.

    Returns ``{"gemeente": ..., "wijk": WK045301, "other_wijk": WK045302,
    "buurten": [the two buurten of WK045301], "other_buurt": a buurt of WK045302,
    "areas": {code: Area}}``.
    """
    gemeente = area(code="GM0453", name="Velsen", kind=AreaKind.GEMEENTE, year=year)
    rows = {"GM0453": gemeente}
    for wijk_code, (wijk_name, buurten) in VELSEN_WIJKEN.items():
        wijk = area(code=wijk_code, name=wijk_name, kind=AreaKind.WIJK, parent=gemeente, year=year)
        rows[wijk_code] = wijk
        for buurt_code, buurt_name in buurten.items():
            rows[buurt_code] = area(
                code=buurt_code, name=buurt_name, kind=AreaKind.BUURT, parent=wijk, year=year
            )
    return {
        "gemeente": gemeente,
        "wijk": rows["WK045301"],
        "other_wijk": rows["WK045302"],
        "buurten": [rows["BU04530100"], rows["BU04530101"]],
        "other_buurt": rows["BU04530200"],
        "areas": rows,
    }


def haarlem(year=YEAR):
    """Gemeente Haarlem with one wijk and one buurt (the outsider's gemeente)."""
    gemeente = area(code="GM0392", name="Haarlem", kind=AreaKind.GEMEENTE, year=year)
    wijk = area(code="WK039201", name="Wijk 01 Centrum", kind=AreaKind.WIJK, parent=gemeente, year=year)
    buurt = area(code="BU03920100", name="Binnenstad", kind=AreaKind.BUURT, parent=wijk, year=year)
    return {"gemeente": gemeente, "wijk": wijk, "buurt": buurt}


def gebied(*, code="GB0453001", name="IJmuiden-Noord", organisation=None, buurten, year=YEAR):
    """A gebied (focus area) made of the given buurten."""
    row = area(code=code, name=name, kind=AreaKind.GEBIED, year=year, gemeente_code=buurten[0].gemeente_code)
    if organisation is not None and row.owner_organisation_id is None:
        Area.objects.filter(pk=row.pk).update(owner_organisation=organisation)
    row.members.set(buurten)
    return row


def team_members(world):
    """The standard team composition (see the module docstring)."""
    return [
        (world.corporatie, TeamRole.TREKKER),
        (world.gemeente, TeamRole.PARTNER),
        (world.partner, TeamRole.PARTNER),
        (world.huurders, TeamRole.MEELEZER),
    ]


def build_team(world, area=None, *, name="Gebiedsteam IJmuiden-Noord", members=None, actor=None):
    """The area team around IJmuiden-Noord (or ``area``), formed through the service."""
    area = area or velsen()["wijk"]
    return services.team_create(
        actor=actor or world.platform_admin,
        area=area,
        name=name,
        members=members if members is not None else team_members(world),
        description="Samen werken aan een leefbaar IJmuiden-Noord.",
    )


def build_intervention(world, team, *, actor=None, **overrides):
    """An intervention led by the corporation with the gemeente as partner."""
    data = {
        "title": "Achter de voordeur in de Lagersbuurt",
        "description": "Huisbezoeken bij alle huurders van de Lagersbuurt.",
        "theme": "leefbaarheid",
        "areas": [team.area],
        "lead_organisation": world.corporatie,
        "partner_organisations": [world.gemeente],
        "start_date": datetime.date(2025, 3, 1),
        "end_date": datetime.date(2026, 6, 30),
        "budget": Decimal("25000.00"),
        "funder": "Woningcorporatie Velserduin",
    }
    data.update(overrides)
    return services.intervention_create(actor=actor or world.corp_editor, team=team, **data)
