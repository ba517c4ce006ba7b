"""The reference data every installation starts with: the open sources, the indicators
their files carry, and the score models of DESIGN §3.

``scores.services.catalogue.catalogue_install`` writes it (idempotently); importers read
the column definitions from here.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from scores.models import Aggregation, Direction, ScoreModel, SourceKind

BETTER, WORSE, NEUTRAL = Direction.HIGHER_BETTER, Direction.HIGHER_WORSE, Direction.NEUTRAL
SUM, INH, DWE, NONE = (
    Aggregation.SUM,
    Aggregation.MEAN_INHABITANTS,
    Aggregation.MEAN_DWELLINGS,
    Aggregation.NONE,
)


# The unit of an indicator that counts people, dwellings or firms; its values are whole.
COUNT = _("aantal")


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    name: str
    unit: str
    direction: str
    aggregation: str
    decimals: int = 1
    is_key: bool = False
    description: str = ""

    @property
    def is_count(self) -> bool:
        """A count (inhabitants, dwellings, ...): a file value that is not whole is an error."""
        return self.unit == COUNT


@dataclass(frozen=True)
class SourceDef:
    name: str
    kind: str
    licence: str
    description: str
    indicators: tuple[IndicatorDef, ...] = ()


# CBS kerncijfers wijken en buurten: the columns Wijkkoers reads (names as in the KWB
# files). Other columns in a file are reported as skipped.
KWB_INDICATORS = (
    IndicatorDef("a_inw", _("Inwoners"), COUNT, NEUTRAL, SUM, 0, is_key=True),
    IndicatorDef("a_hh", _("Huishoudens"), COUNT, NEUTRAL, SUM, 0),
    IndicatorDef("g_hhgro", _("Gemiddelde huishoudensgrootte"), _("personen"), NEUTRAL, INH, 1),
    IndicatorDef("bev_dich", _("Bevolkingsdichtheid"), _("inwoners per km²"), NEUTRAL, NONE, 0),
    IndicatorDef("p_00_14_jr", _("Inwoners 0 tot 15 jaar"), "%", NEUTRAL, INH, 0),
    IndicatorDef("p_65_eo_jr", _("Inwoners 65 jaar of ouder"), "%", NEUTRAL, INH, 0),
    IndicatorDef("a_woning", _("Woningvoorraad"), COUNT, NEUTRAL, SUM, 0),
    IndicatorDef(
        "g_wozbag", _("Gemiddelde WOZ-waarde van woningen"), _("× € 1.000"), BETTER, DWE, 0, is_key=True
    ),
    IndicatorDef("p_1gezw", _("Eengezinswoningen"), "%", NEUTRAL, DWE, 0),
    IndicatorDef("p_mgezw", _("Meergezinswoningen"), "%", NEUTRAL, DWE, 0),
    IndicatorDef("p_koopw", _("Koopwoningen"), "%", NEUTRAL, DWE, 0),
    IndicatorDef("p_huurw", _("Huurwoningen"), "%", NEUTRAL, DWE, 0),
    IndicatorDef(
        "p_wcorpw", _("Huurwoningen in bezit van woningcorporaties"), "%", WORSE, DWE, 0, is_key=True
    ),
    IndicatorDef("p_ov_hw", _("Huurwoningen van overige verhuurders"), "%", NEUTRAL, DWE, 0),
    IndicatorDef("p_leegsw", _("Leegstaande woningen"), "%", WORSE, DWE, 1),
    IndicatorDef("p_bjj2k", _("Woningen gebouwd voor 2000"), "%", NEUTRAL, DWE, 0),
    IndicatorDef("g_ink_pi", _("Gemiddeld inkomen per inwoner"), _("× € 1.000"), BETTER, INH, 1),
    IndicatorDef("p_ink_li", _("Personen met een laag inkomen"), "%", WORSE, INH, 1),
    IndicatorDef("p_ink_hi", _("Personen met een hoog inkomen"), "%", BETTER, INH, 1),
    IndicatorDef("p_hh_li", _("Huishoudens met een laag inkomen"), "%", WORSE, INH, 1, is_key=True),
    IndicatorDef("p_hh_osm", _("Huishoudens onder of rond het sociaal minimum"), "%", WORSE, INH, 1),
    IndicatorDef("p_arb_pp", _("Nettoarbeidsparticipatie"), "%", BETTER, INH, 1),
    IndicatorDef("a_soz_wb", _("Personen met een bijstandsuitkering"), COUNT, WORSE, SUM, 0),
    IndicatorDef("a_soz_ao", _("Personen met een arbeidsongeschiktheidsuitkering"), COUNT, WORSE, SUM, 0),
    IndicatorDef("a_soz_ww", _("Personen met een WW-uitkering"), COUNT, WORSE, SUM, 0),
    IndicatorDef("p_jz_tn", _("Jongeren met jeugdzorg in natura"), "%", WORSE, INH, 1),
    IndicatorDef("p_wmo_t", _("Wmo-cliënten"), _("per 1.000 inwoners"), WORSE, INH, 0),
    IndicatorDef("a_gewsek", _("Geweld- en seksuele misdrijven"), _("per 1.000 inwoners"), WORSE, INH, 1),
    IndicatorDef(
        "a_vernoo",
        _("Vernielingen en misdrijven tegen de openbare orde"),
        _("per 1.000 inwoners"),
        WORSE,
        INH,
        1,
    ),
    IndicatorDef("a_diefst", _("Diefstallen"), _("per 1.000 inwoners"), WORSE, INH, 1),
    IndicatorDef("g_afs_hp", _("Afstand tot huisartsenpraktijk"), "km", WORSE, INH, 1),
    IndicatorDef("g_afs_sc", _("Afstand tot school"), "km", WORSE, INH, 1),
    IndicatorDef("a_bedv", _("Bedrijfsvestigingen"), COUNT, NEUTRAL, SUM, 0),
)

# Leefbaarometer 3.0 open data: the absolute score ``lbm``, the deviations from the
# national mean per dimension (positive is better than the mean) and the total class
# ``kscore`` (the published model's class; not always in a file).
LEEFBAAROMETER_SCORE = IndicatorDef(
    "lbm",
    _("Leefbaarheid (score)"),
    _("score"),
    BETTER,
    INH,
    3,
    is_key=True,
    description=_(
        "De absolute leefbaarheidsscore van de Leefbaarometer 3.0 (kolom lbm), zoals gepubliceerd; "
        "landelijk ligt hij rond de 4. Hoger is leefbaarder. De afwijkingen van het landelijk "
        "gemiddelde per dimensie staan in de indicatoren met afwijking in de naam, de klasse 1 tot "
        "en met 9 in het model Leefbaarometer 3.0."
    ),
)
LEEFBAAROMETER_DIMENSIONS = {
    "afw": _("Leefbaarheid totaal (afwijking)"),
    "fys": _("Fysieke omgeving (afwijking)"),
    "won": _("Woningvoorraad (afwijking)"),
    "vrz": _("Voorzieningen (afwijking)"),
    "soc": _("Sociale samenhang (afwijking)"),
    "onv": _("Overlast en onveiligheid (afwijking)"),
}
# The published class (1–9) of each dimension, in the columns ``kafw`` … ``konv``.
LEEFBAAROMETER_DIMENSION_CLASSES = {
    "kafw": _("Leefbaarheid totaal (klasse)"),
    "kfys": _("Fysieke omgeving (klasse)"),
    "kwon": _("Woningvoorraad (klasse)"),
    "kvrz": _("Voorzieningen (klasse)"),
    "ksoc": _("Sociale samenhang (klasse)"),
    "konv": _("Overlast en onveiligheid (klasse)"),
}
LEEFBAAROMETER_DEVIATIONS = tuple(
    IndicatorDef(f"lbm_{dim}", name, _("afwijking"), BETTER, INH, 3, is_key=dim in {"afw", "onv"})
    for dim, name in LEEFBAAROMETER_DIMENSIONS.items()
)
LEEFBAAROMETER_CLASS_INDICATORS = tuple(
    IndicatorDef(f"lbm_{column}", name, _("klasse 1–9"), BETTER, NONE, 0)
    for column, name in LEEFBAAROMETER_DIMENSION_CLASSES.items()
)
LEEFBAAROMETER_INDICATORS = (
    LEEFBAAROMETER_SCORE,
    *LEEFBAAROMETER_DEVIATIONS,
    *LEEFBAAROMETER_CLASS_INDICATORS,
)

CBS_KWB = SourceDef(
    name="CBS kerncijfers wijken en buurten",
    kind=SourceKind.CBS_KWB,
    licence="Bron: CBS, Kerncijfers wijken en buurten, CC BY 4.0",
    description=_(
        "Jaarlijkse kerncijfers per gemeente, wijk en buurt van het Centraal Bureau voor de Statistiek."
    ),
    indicators=KWB_INDICATORS,
)
LEEFBAAROMETER = SourceDef(
    name="Leefbaarometer 3.0",
    kind=SourceKind.LEEFBAAROMETER,
    licence="Bron: Leefbaarometer 3.0, ministerie van BZK, open data",
    description=_("Leefbaarheid per buurt, wijk en gemeente, elke twee jaar, met vijf dimensies."),
    indicators=LEEFBAAROMETER_INDICATORS,
)
OPEN_SOURCES = (CBS_KWB, LEEFBAAROMETER)


def _palette(*colors):
    return colors


# Colour ramps from bad to good (ColorBrewer RdYlGn, colour-blind safe enough with the
# class names in the legend and the table beside every map).
RAMP_9 = _palette(
    "#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850"
)
RAMP_5 = _palette("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")

LEEFBAAROMETER_CLASSES = [
    {"value": i + 1, "label": label, "color": RAMP_9[i]}
    for i, label in enumerate(
        [
            "zeer onvoldoende",
            "ruim onvoldoende",
            "onvoldoende",
            "zwak",
            "voldoende",
            "ruim voldoende",
            "goed",
            "zeer goed",
            "uitstekend",
        ]
    )
]

# Used when an Aedes veerkracht file carries no class names of its own.
AEDES_DEFAULT_CLASSES = [
    {"value": i + 1, "label": label, "color": RAMP_5[i]}
    for i, label in enumerate(["zeer laag", "laag", "gemiddeld", "hoog", "zeer hoog"])
]

INDEX_CLASSES = [
    {"value": i + 1, "label": label, "color": RAMP_5[i]}
    for i, label in enumerate(
        ["zeer kwetsbaar", "kwetsbaar", "gemiddeld", "veerkrachtig", "zeer veerkrachtig"]
    )
]
# In standard deviations from the national mean of the year.
INDEX_CUTOFFS = [-0.75, -0.25, 0.25, 0.75]

TRENDS = ("daalt", "stabiel", "stijgt")
# Signal cells 1–9: (vulnerability trend, overlast trend), row by row; 9 = both rising,
# the strongest signal. Colours from calm (both falling) to alarm.
SIGNAL_COLORS = (
    "#1a9850",
    "#91cf60",
    "#d9ef8b",
    "#91cf60",
    "#ffffbf",
    "#fee08b",
    "#fdae61",
    "#f46d43",
    "#d73027",
)
# Both rising: the strongest signal.
SIGNAL_BOTH_RISING = 9
SIGNAL_CLASSES = [
    {
        "value": 3 * v + n + 1,
        "label": f"kwetsbaarheid {TRENDS[v]}, overlast {TRENDS[n]}",
        "color": SIGNAL_COLORS[3 * v + n],
        "vulnerability": TRENDS[v],
        "nuisance": TRENDS[n],
    }
    for v in range(3)
    for n in range(3)
]


@dataclass(frozen=True)
class ModelDef:
    key: str
    name: str
    kind: str
    description: str
    classes: list
    source: SourceDef | None = None
    cutoffs: list = field(default_factory=list)
    # (indicator key, weight, role)
    components: tuple = ()
    higher_is_better: bool = True


LEEFBAAROMETER_MODEL = ModelDef(
    key="leefbaarometer",
    name="Leefbaarometer 3.0",
    kind=ScoreModel.Kind.PUBLISHED,
    description=_(
        "De gepubliceerde klasse van de Leefbaarometer (negen klassen), met de totale afwijking als score. "
        "Heeft het bestand geen klassen, dan toont de kaart de score op een doorlopende schaal."
    ),
    classes=LEEFBAAROMETER_CLASSES,
    source=LEEFBAAROMETER,
)
VEERKRACHT_INDEX = ModelDef(
    key="wijkkoers-veerkracht",
    name="Wijkkoers veerkracht-index",
    kind=ScoreModel.Kind.INDEX,
    description=_(
        "Open index: het gewogen gemiddelde van gestandaardiseerde indicatoren (z-scores over alle "
        "buurten van het jaar, omgedraaid waar hoger slechter is). Hoger is veerkrachtiger."
    ),
    classes=INDEX_CLASSES,
    cutoffs=INDEX_CUTOFFS,
    components=(
        ("p_hh_li", 1.0, ""),
        ("p_hh_osm", 1.0, ""),
        ("p_wmo_t", 1.0, ""),
        ("p_jz_tn", 1.0, ""),
        ("p_arb_pp", 1.0, ""),
        ("p_wcorpw", 0.5, ""),
        ("g_wozbag", 0.5, ""),
        ("a_gewsek", 1.0, ""),
        ("a_vernoo", 1.0, ""),
    ),
)
SIGNAL_TYPOLOGY = ModelDef(
    key="signalen",
    name="Signaaltypologie",
    kind=ScoreModel.Kind.SIGNAL,
    description=_(
        "Kruist de trend van kwetsbaarheid met de trend van overlast en onveiligheid (elk daalt, "
        "stabiel of stijgt) tot negen signalen; beide stijgen is het sterkste signaal."
    ),
    classes=SIGNAL_CLASSES,
    higher_is_better=False,
    components=(
        ("p_hh_li", 1.0, "kwetsbaarheid"),
        ("p_hh_osm", 1.0, "kwetsbaarheid"),
        ("p_wmo_t", 1.0, "kwetsbaarheid"),
        ("p_jz_tn", 1.0, "kwetsbaarheid"),
        ("a_gewsek", 1.0, "overlast"),
        ("a_vernoo", 1.0, "overlast"),
        ("a_diefst", 1.0, "overlast"),
    ),
)
DEFAULT_MODELS = (LEEFBAAROMETER_MODEL, VEERKRACHT_INDEX, SIGNAL_TYPOLOGY)

AEDES_MODEL_KEY = "aedes-veerkracht-{source_id}"


# Why an area has no score. Stored as these Dutch source texts (the count filled in), so
# pages translate them with ``no_data_text``.
NO_DATA_POPULATION = gettext_noop("minder dan %(count)s inwoners")
NO_DATA_MISSING = gettext_noop("ontbrekende gegevens")
NO_DATA_NO_BUURTEN = gettext_noop("geen buurten met een score")
_POPULATION_REASON = re.compile(r"^minder dan (\d+) inwoners$")


def no_data_text(reason: str) -> str:
    """A stored no-data reason in the interface language."""
    if not reason:
        return ""
    match = _POPULATION_REASON.match(reason)
    if match:
        return gettext(NO_DATA_POPULATION) % {"count": match.group(1)}
    if reason in (NO_DATA_MISSING, NO_DATA_NO_BUURTEN):
        return gettext(reason)
    return reason
