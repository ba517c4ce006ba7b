"""Demo scores for Velsen (GM0453): several years of generated indicator values on the
real CBS boundaries, so the demo shows trends, a change map and signals.

The figures are **generated demo figures, not CBS or Leefbaarometer figures**: the open
sources' licence line says so on every page that shows them. They are made
deterministically (a seeded ``random.Random`` per buurt) with a structure a user
recognises: IJmuiden and Velsen-Noord have more corporation dwellings and lower incomes
than Santpoort and Driehuis; a few buurten get worse on both vulnerability and overlast
over the years (the strongest signal of the typology), a few improve, the rest drift.
Wijk and gemeente values follow from their buurten: sums for counts, means weighted by
inhabitants or dwellings for shares, as the catalogue says.

The figures are written as the files the importers read (a KWB CSV with semicolons and
decimal commas, Leefbaarometer CSVs, the Aedes template) and imported through the same
service as an upload; then the scores are computed once.

Idempotent: a source's year that already has values in Velsen is not imported again.
"""

import csv
import math
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db.models import Q

from areas.models import Area, AreaKind
from scores import catalogue
from scores.models import Aggregation, IndicatorValue, Score, ScoreModel, Source, SourceKind

GEMEENTE = "GM0453"
KWB_YEARS = (2022, 2023, 2024, 2025)
LEEFBAAROMETER_YEARS = (2022, 2024)
AEDES_YEAR = 2023

CORPORATION = "Woningcorporatie Velserduin"
AEDES_SHARED_WITH = ("Gemeente Velsen",)
AEDES_SOURCE_NAME = "Aedes veerkrachtkaart Velsen (Woningcorporatie Velserduin)"

DEMO_LICENCES = {
    SourceKind.CBS_KWB: "Democijfers: door Wijkkoers gegenereerd, geen CBS-cijfers",
    SourceKind.LEEFBAAROMETER: "Democijfers: door Wijkkoers gegenereerd, geen Leefbaarometer-cijfers",
}
AEDES_LICENCE = (
    "Alleen voor leden van Aedes. Democijfers: door Wijkkoers gegenereerd, geen Aedes-veerkrachtkaart"
)

# How much pressure a wijk is under, 0 (none) to 1 (a lot): IJmuiden and Velsen-Noord
# have the most corporation dwellings and the lowest incomes, Santpoort the fewest.
WIJK_PRESSURE = {
    "WK045300": 0.25,  # Velsen-Zuid en Driehuis
    "WK045301": 0.68,  # IJmuiden-Noord
    "WK045302": 0.62,  # IJmuiden-Zuid
    "WK045303": 0.55,  # IJmuiden-West
    "WK045304": 0.38,  # Zee- en Duinwijk
    "WK045305": 0.60,  # Velsen-Noord
    "WK045306": 0.15,  # Santpoort-Noord
    "WK045307": 0.10,  # Santpoort-Zuid
    "WK045308": 0.30,  # Velserbroek
    "WK045309": 0.40,  # Spaarndammerpolder
}
# Buurten with hardly anyone living there (industrial estates, a buurt without a shape):
# CBS keeps their shares secret and models give them no score.
TINY = {"BU04530004": 18, "BU04530505": 36, "BU04530901": 12}
# Vulnerability and overlast both rise year after year: the typology's strongest signal.
WORSENING = ("BU04530102", "BU04530203", "BU04530301", "BU04530501")
# Both fall: the buurten where the work pays off.
IMPROVING = ("BU04530100", "BU04530205", "BU04530302")

VULNERABILITY_KEYS = ("p_hh_li", "p_hh_osm", "p_wmo_t", "p_jz_tn")
NUISANCE_KEYS = ("a_gewsek", "a_vernoo", "a_diefst")
# Shares CBS does not publish for buurten this small.
SECRET_WHEN_TINY = (
    "g_ink_pi",
    "p_ink_li",
    "p_ink_hi",
    "p_hh_li",
    "p_hh_osm",
    "p_arb_pp",
    "p_jz_tn",
    "p_wmo_t",
    "a_gewsek",
    "a_vernoo",
    "a_diefst",
    "g_wozbag",
)

# Leefbaarometer total deviation → class 1–9 (cut-offs between the classes).
LEEFBAAROMETER_CUTOFFS = (-0.25, -0.15, -0.10, -0.05, 0.0, 0.05, 0.10, 0.15)
# Aedes veerkracht score → class 1–5.
AEDES_CUTOFFS = (-0.6, -0.2, 0.2, 0.6)

INDICATORS = {ind.key: ind for ind in catalogue.KWB_INDICATORS}


@dataclass
class DemoArea:
    """One gemeente, wijk or buurt of the demo (the same codes every year)."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    children: list[str] = field(default_factory=list)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _class_of(value: float, cutoffs) -> int:
    return 1 + sum(value >= cut for cut in cutoffs)


def _buurt_profile(code: str, wijk: str) -> dict:
    """The fixed traits of a buurt and its course over the years (multipliers of its
    vulnerability and overlast per year)."""
    rng = random.Random(f"wijkkoers-demo-{code}")
    pressure = _clamp(WIJK_PRESSURE.get(wijk, 0.35) + rng.gauss(0, 0.12), 0.03, 0.97)
    # Tiny buurten draw nothing here, so the other buurten keep their own figures.
    inhabitants = TINY.get(code) or rng.randint(250, 1500) + int(1000 * pressure * rng.random())
    vulnerability, nuisance = {}, {}
    v = n = 1.0
    for year in KWB_YEARS:
        if year > KWB_YEARS[0]:
            if code in WORSENING:
                v *= 1.10 + rng.uniform(0, 0.04)
                n *= 1.12 + rng.uniform(0, 0.05)
            elif code in IMPROVING:
                v *= 0.92 - rng.uniform(0, 0.03)
                n *= 0.90 - rng.uniform(0, 0.04)
            else:
                v *= 1 + rng.gauss(0, 0.015)
                n *= 1 + rng.gauss(0, 0.03)
        vulnerability[year], nuisance[year] = v, n
    return {
        "pressure": pressure,
        "inhabitants": inhabitants,
        "vulnerability": vulnerability,
        "nuisance": nuisance,
        "rng_seed": f"wijkkoers-demo-{code}-jaar",
        "traits": {
            "corp": _clamp(6 + 62 * pressure + rng.gauss(0, 5), 1, 82),
            "private_rent": rng.uniform(4, 14),
            "one_family": _clamp(88 - 62 * pressure + rng.gauss(0, 9), 8, 97),
            "young": _clamp(15 + rng.gauss(0, 3), 6, 26),
            "old": _clamp(20 + rng.gauss(0, 5) - 4 * pressure, 8, 38),
            "vacant": rng.uniform(1.2, 4.8),
            "pre2000": rng.uniform(55, 98),
            "gp": rng.uniform(0.3, 1.8),
            "school": rng.uniform(0.3, 1.2),
            "business": rng.uniform(0.06, 0.16),
            "density": 900 + 7500 * pressure + rng.uniform(-600, 600),
            "growth": rng.gauss(0.004, 0.004),
        },
    }


def _buurt_values(code: str, profile: dict, year: int) -> dict[str, float | None]:
    """All KWB indicators of one buurt in one year (unrounded; None = secret)."""
    t = year - KWB_YEARS[0]
    d = profile["pressure"]
    v = profile["vulnerability"][year]
    n = profile["nuisance"][year]
    tr = profile["traits"]
    rng = random.Random(f"{profile['rng_seed']}-{year}")
    noise = lambda sd: 1 + rng.gauss(0, sd)  # noqa: E731 - a local shorthand
    inw = profile["inhabitants"] * (1 + tr["growth"]) ** t
    hhgro = _clamp(2.55 - 0.75 * d + rng.gauss(0, 0.05), 1.4, 3.0)
    hh = inw / hhgro
    huur = _clamp(tr["corp"] + tr["private_rent"], 5, 96)
    values = {
        "a_inw": inw,
        "a_hh": hh,
        "g_hhgro": hhgro,
        "bev_dich": tr["density"] * (1 + tr["growth"]) ** t,
        "p_00_14_jr": tr["young"],
        "p_65_eo_jr": tr["old"] + 0.3 * t,
        "a_woning": hh * 1.03,
        "g_wozbag": (470 - 240 * d) * 1.06**t * noise(0.02),
        "p_1gezw": tr["one_family"],
        "p_mgezw": 100 - tr["one_family"],
        "p_koopw": 100 - huur,
        "p_huurw": huur,
        "p_wcorpw": tr["corp"],
        "p_ov_hw": huur - tr["corp"],
        "p_leegsw": tr["vacant"] * noise(0.1),
        "p_bjj2k": tr["pre2000"],
        "g_ink_pi": (41 - 17 * d) * 1.03**t / v**0.3 * noise(0.02),
        "p_ink_li": _clamp((28 + 30 * d) * v**0.5 * noise(0.02), 5, 90),
        "p_ink_hi": _clamp((36 - 26 * d) / v**0.5 * noise(0.03), 2, 80),
        "p_hh_li": _clamp((5 + 19 * d) * v * noise(0.01), 1, 80),
        "p_hh_osm": _clamp((3.5 + 13 * d) * v * noise(0.01), 1, 70),
        "p_arb_pp": _clamp((75 - 15 * d) / v**0.2 * noise(0.01), 35, 90),
        "a_soz_wb": inw * (0.004 + 0.05 * d) * v,
        "a_soz_ao": inw * (0.04 + 0.04 * d) * noise(0.05),
        "a_soz_ww": inw * (0.01 + 0.008 * d) * noise(0.1),
        "p_jz_tn": _clamp((6 + 9 * d) * v * noise(0.015), 1, 40),
        "p_wmo_t": (45 + 75 * d) * v * noise(0.01),
        "a_gewsek": (2 + 7 * d) * n * noise(0.02),
        "a_vernoo": (3 + 9 * d) * n * noise(0.02),
        "a_diefst": (9 + 16 * d) * n * noise(0.02),
        "g_afs_hp": tr["gp"],
        "g_afs_sc": tr["school"],
        "a_bedv": inw * tr["business"],
    }
    if code in TINY:
        for key in SECRET_WHEN_TINY:
            values[key] = None
    return values


def _weighted(children: list[dict], key: str, weight_key: str) -> float | None:
    pairs = [(c[key], c[weight_key]) for c in children if c.get(key) is not None and c.get(weight_key)]
    total = sum(w for _value, w in pairs)
    return sum(value * w for value, w in pairs) / total if total else None


def _aggregate(children: list[dict]) -> dict[str, float | None]:
    """A wijk's or the gemeente's values from its parts, as the catalogue adds them up."""
    result = {}
    for key, ind in INDICATORS.items():
        if ind.aggregation == Aggregation.SUM:
            result[key] = sum(c[key] for c in children if c.get(key) is not None)
        elif ind.aggregation == Aggregation.MEAN_INHABITANTS:
            result[key] = _weighted(children, key, "a_inw")
        elif ind.aggregation == Aggregation.MEAN_DWELLINGS:
            result[key] = _weighted(children, key, "a_woning")
    # Density: all inhabitants over all land (each part's land is inhabitants / density).
    land = sum(c["a_inw"] / c["bev_dich"] for c in children if c.get("bev_dich"))
    result["bev_dich"] = result["a_inw"] / land if land else None
    return result


def generate_kwb(areas: dict[str, DemoArea]) -> dict[int, dict[str, dict[str, float | None]]]:
    """KWB values per year, per area code (buurten, wijken, gemeente), unrounded."""
    buurten = [a for a in areas.values() if a.kind == AreaKind.BUURT]
    profiles = {b.code: _buurt_profile(b.code, b.parent) for b in buurten}
    result = {}
    for year in KWB_YEARS:
        values = {b.code: _buurt_values(b.code, profiles[b.code], year) for b in buurten}
        wijken = [a for a in areas.values() if a.kind == AreaKind.WIJK]
        for wijk in wijken:
            values[wijk.code] = _aggregate([values[c] for c in wijk.children if c in values])
        for gemeente in (a for a in areas.values() if a.kind == AreaKind.GEMEENTE):
            values[gemeente.code] = _aggregate([values[c] for c in gemeente.children if c in values])
        result[year] = values
    return result


def generate_leefbaarometer(areas, kwb) -> dict[int, dict[str, dict[str, float]]]:
    """Leefbaarometer deviations (afw = the sum of the five dimensions) and class per
    area, consistent with the KWB picture of the same year: more pressure, more
    vulnerability and more overlast mean lower scores."""
    result = {}
    buurten = [a for a in areas.values() if a.kind == AreaKind.BUURT]
    for year in LEEFBAAROMETER_YEARS:
        values = {}
        for b in buurten:
            rng = random.Random(f"wijkkoers-demo-lbm-{b.code}")
            profile = _buurt_profile(b.code, b.parent)
            d = profile["pressure"]
            v = profile["vulnerability"][year] - 1
            n = profile["nuisance"][year] - 1
            drift = random.Random(f"wijkkoers-demo-lbm-{b.code}-{year}")
            dims = {
                "fys": 0.03 - 0.05 * d + rng.gauss(0, 0.015) + drift.gauss(0, 0.004),
                "won": 0.06 - 0.12 * d + rng.gauss(0, 0.015) + drift.gauss(0, 0.004),
                "vrz": -0.01 + 0.03 * d + rng.gauss(0, 0.02),
                "soc": 0.05 - 0.10 * d - 0.25 * v + rng.gauss(0, 0.01),
                "onv": 0.04 - 0.12 * d - 0.35 * n + rng.gauss(0, 0.01),
            }
            dims["afw"] = sum(dims.values())
            dims["a_inw"] = kwb[year][b.code]["a_inw"]
            values[b.code] = dims
        for kind in (AreaKind.WIJK, AreaKind.GEMEENTE):
            for area in (a for a in areas.values() if a.kind == kind):
                parts = [values[c] for c in area.children if c in values]
                agg = {k: _weighted(parts, k, "a_inw") for k in ("fys", "won", "vrz", "soc", "onv", "afw")}
                agg["a_inw"] = sum(p["a_inw"] for p in parts)
                values[area.code] = agg
        for dims in values.values():
            dims["kscore"] = _class_of(dims["afw"], LEEFBAAROMETER_CUTOFFS)
        result[year] = values
    return result


def generate_aedes(areas) -> dict[str, tuple[int, float]]:
    """Aedes veerkracht class and score per buurt (AEDES_YEAR); tiny buurten have none,
    as on the real maps."""
    result = {}
    for b in (a for a in areas.values() if a.kind == AreaKind.BUURT):
        if b.code in TINY:
            continue
        profile = _buurt_profile(b.code, b.parent)
        rng = random.Random(f"wijkkoers-demo-aedes-{b.code}")
        v = profile["vulnerability"][AEDES_YEAR] - 1
        n = profile["nuisance"][AEDES_YEAR] - 1
        score = 0.85 - 1.7 * profile["pressure"] - 1.5 * v - 1.0 * n + rng.gauss(0, 0.12)
        result[b.code] = (_class_of(score, AEDES_CUTOFFS), score)
    return result


# --- files in the shapes the importers read -------------------------------------------


def _number(value, decimals: int) -> str:
    """CBS style: decimal comma, ``.`` for a secret or missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "."
    return f"{value:.{decimals}f}".replace(".", ",")


def _ordered(areas: dict[str, DemoArea]) -> list[DemoArea]:
    """Gemeente first, then every wijk followed by its buurten, as CBS orders them."""
    rows = []
    for gemeente in sorted((a for a in areas.values() if a.kind == AreaKind.GEMEENTE), key=lambda a: a.code):
        rows.append(gemeente)
        for wijk_code in sorted(gemeente.children):
            wijk = areas[wijk_code]
            rows.append(wijk)
            rows += [areas[c] for c in sorted(wijk.children)]
    return rows


RECS = {AreaKind.GEMEENTE: "Gemeente", AreaKind.WIJK: "Wijk", AreaKind.BUURT: "Buurt"}


def write_kwb(path: Path, areas, values: dict[str, dict], gemeente_name: str) -> Path:
    keys = list(INDICATORS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["gwb_code_10", "regio", "gm_naam", "recs", *keys])
        for area in _ordered(areas):
            row = values.get(area.code)
            if row is None:
                continue
            writer.writerow(
                [area.code, area.name, gemeente_name, RECS[area.kind]]
                + [_number(row.get(k), INDICATORS[k].decimals) for k in keys]
            )
    return path


LEEFBAAROMETER_COLUMNS = ("afw", "fys", "won", "vrz", "soc", "onv")


def write_leefbaarometer(path: Path, areas, values: dict[str, dict], year: int) -> Path:
    """All levels of one year in one file (an import replaces the source's whole year)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["gwb_code", "jaar", "kscore", *LEEFBAAROMETER_COLUMNS])
        for area in _ordered(areas):
            row = values.get(area.code)
            if row is not None:
                writer.writerow(
                    [area.code, year, row["kscore"]] + [_number(row[k], 4) for k in LEEFBAAROMETER_COLUMNS]
                )
    return path


def write_aedes(path: Path, values: dict[str, tuple[int, float]], year: int) -> Path:
    labels = {c["value"]: c["label"] for c in catalogue.AEDES_DEFAULT_CLASSES}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["code", "jaar", "klasse", "klassenaam", "score"])
        for code in sorted(values):
            klasse, score = values[code]
            writer.writerow([code, year, klasse, labels[klasse], _number(score, 3)])
    return path


# --- loading ---------------------------------------------------------------------------


def demo_areas() -> tuple[dict[str, DemoArea], dict[int, set[str]]]:
    """The Velsen areas as one tree (codes are the same every demo year) and the codes
    stored per boundary year."""
    rows = list(
        Area.objects.filter(
            gemeente_code=GEMEENTE,
            kind__in=[AreaKind.GEMEENTE, AreaKind.WIJK, AreaKind.BUURT],
            is_water=False,
        )
        .order_by("-year", "code")
        .values_list("year", "code", "name", "kind", "parent__code")
    )
    areas: dict[str, DemoArea] = {}
    per_year: dict[int, set[str]] = {}
    for year, code, name, kind, parent in rows:
        per_year.setdefault(year, set()).add(code)
        if code not in areas:  # the newest year's name and place
            areas[code] = DemoArea(code=code, name=name, kind=kind, parent=parent)
    for area in areas.values():
        if area.parent in areas:
            areas[area.parent].children.append(area.code)
    return areas, per_year


def _only(values: dict[str, dict], codes: set[str]) -> dict[str, dict]:
    return {code: row for code, row in values.items() if code in codes}


def _loaded(source: Source, year: int) -> bool:
    return IndicatorValue.objects.filter(
        indicator__source=source, year=year, area__gemeente_code=GEMEENTE
    ).exists()


def _import(actor, path: Path, source: Source, year: int):
    from scores.services.imports import score_import_file

    job = score_import_file(
        actor=actor, path=path, source=source, file_format=source.kind, year=year, recompute=False
    )
    if job.status != job.Status.DONE:
        problems = "; ".join(str(e["message"]) for e in job.errors[:3])
        raise RuntimeError(f"Import van {path.name} ({year}) in {source.name} mislukt: {problems}")
    return job


def _user(email: str):
    return get_user_model().objects.filter(email=email, is_active=True).first()


def _platform_admin():
    return (
        get_user_model()
        .objects.filter(Q(is_platform_admin=True) | Q(is_superuser=True), is_active=True)
        .order_by("pk")
        .first()
    )


def _open_sources_with_demo_licence(admin) -> dict[str, Source]:
    """Install the catalogue and give the open sources a licence line that says the
    figures are made up: every page shows that line next to the figures."""
    from scores.services.catalogue import catalogue_install
    from scores.services.sources import source_update

    sources = catalogue_install()
    for kind, licence in DEMO_LICENCES.items():
        source = sources[kind]
        if source.licence != licence:
            sources[kind] = source_update(actor=admin, source=source, version=source.version, licence=licence)
    return sources


def _aedes_source(log) -> tuple[Source | None, object]:
    """The corporation's licensed Aedes source, shared with Gemeente Velsen only; with
    the corporation's bewerker who uploads it."""
    from organisations.demo import PERSONAS
    from organisations.models import Organisation, Role
    from scores.services.sources import source_create, source_share

    people = {role: _user(email) for email, _name, _persona, org, role in PERSONAS if org == CORPORATION}
    owner = Organisation.objects.filter(name=CORPORATION).first()
    beheerder = people.get(Role.BEHEERDER)
    uploader = people.get(Role.BEWERKER) or beheerder
    if owner is None or beheerder is None:
        log(f"  Aedes veerkracht: {CORPORATION} of haar beheerder ontbreekt; overgeslagen.")
        return None, None
    source = Source.objects.filter(name=AEDES_SOURCE_NAME).first()
    if source is None:
        source = source_create(
            actor=beheerder,
            name=AEDES_SOURCE_NAME,
            kind=SourceKind.AEDES_VEERKRACHT,
            description="Veerkrachtkaart van de buurten in Velsen, door de corporatie aangeleverd.",
            licence=AEDES_LICENCE,
            is_licensed=True,
            owner_organisation=owner,
        )
    shared = list(Organisation.objects.filter(name__in=AEDES_SHARED_WITH))
    source = source_share(actor=beheerder, source=source, organisations=shared, version=source.version)
    return source, uploader


def seed(*, log: Callable[[str], None]) -> None:
    """Load the demo scores of Velsen: generated KWB figures 2022–2025, Leefbaarometer
    2022 and 2024, a licensed Aedes veerkrachtkaart 2023 of the demo corporation; then
    compute every score model once. Skips what is already loaded."""
    from scores.services.compute import scores_recompute

    areas, per_year = demo_areas()
    if not areas:
        log("Scores: geen grenzen van Velsen geladen; overgeslagen.")
        return
    admin = _platform_admin()
    if admin is None:
        log("Scores: geen platformbeheerder om mee te importeren; overgeslagen.")
        return
    sources = _open_sources_with_demo_licence(admin)
    kwb_source = sources[SourceKind.CBS_KWB]
    lbm_source = sources[SourceKind.LEEFBAAROMETER]
    gemeente_name = next((a.name for a in areas.values() if a.kind == AreaKind.GEMEENTE), "Velsen")

    kwb = generate_kwb(areas)
    loaded, already, values, published = [], [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for year in (y for y in KWB_YEARS if y in per_year):
            if _loaded(kwb_source, year):
                already.append(f"kerncijfers {year}")
                continue
            path = write_kwb(
                folder / f"kwb_velsen_{year}.csv", areas, _only(kwb[year], per_year[year]), gemeente_name
            )
            job = _import(admin, path, kwb_source, year)
            loaded.append(f"kerncijfers {year}")
            values += job.values_written

        lbm = generate_leefbaarometer(areas, kwb)
        for year in (y for y in LEEFBAAROMETER_YEARS if y in per_year):
            if _loaded(lbm_source, year):
                already.append(f"Leefbaarometer {year}")
                continue
            path = write_leefbaarometer(
                folder / f"leefbaarometer_velsen_{year}.csv", areas, _only(lbm[year], per_year[year]), year
            )
            job = _import(admin, path, lbm_source, year)
            loaded.append(f"Leefbaarometer {year}")
            values += job.values_written
            published += job.scores_written

        aedes_source, uploader = _aedes_source(log)
        if aedes_source is not None and AEDES_YEAR in per_year:
            if Score.objects.filter(model__source=aedes_source, year=AEDES_YEAR).exists():
                already.append(f"Aedes veerkracht {AEDES_YEAR}")
            else:
                aedes = {c: v for c, v in generate_aedes(areas).items() if c in per_year[AEDES_YEAR]}
                path = write_aedes(folder / f"aedes_veerkracht_velsen_{AEDES_YEAR}.csv", aedes, AEDES_YEAR)
                job = _import(uploader, path, aedes_source, AEDES_YEAR)
                loaded.append(
                    f"Aedes veerkracht {AEDES_YEAR} (alleen {CORPORATION} en {', '.join(AEDES_SHARED_WITH)})"
                )
                published += job.scores_written

    if already:
        log(f"Scores Velsen: al geladen: {', '.join(already)}.")
    if not loaded:
        return
    years = sorted(y for y in per_year if y in KWB_YEARS)
    # The imports queue recomputations of their own; computing here once more, after the
    # last import, makes the demo's end state independent of the order they run in.
    scores_recompute(years=years)
    demo_models = ScoreModel.objects.filter(scores__area__gemeente_code=GEMEENTE, scores__year__in=years)
    scores = Score.objects.filter(area__gemeente_code=GEMEENTE, year__in=years).count()
    log(
        f"Scores Velsen: {', '.join(loaded)} geladen; {values} indicatorwaarden, "
        f"{published} gepubliceerde scores, {scores} scores in {demo_models.distinct().count()} modellen "
        f"over {years[0]}–{years[-1]}."
    )
    log(
        "  Let op: dit zijn door Wijkkoers gegenereerde democijfers, geen cijfers van CBS, Leefbaarometer of Aedes."
    )
