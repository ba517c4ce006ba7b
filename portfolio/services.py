"""Writes of the portfolio: importing the complex register (as an import job, see
``core.imports``), the strategy per complex, the portfolio's thresholds and sharing the
portfolio view with a gemeente.

An import is a fresh copy of the register: complexes in the file are created or updated,
complexes missing from it are listed and archived only when ``remove_missing`` is chosen.
All rows are stored or none, and every stored change keeps its history with the person
who made it.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agreements.models import Commitment
from areas.models import Area, AreaKind
from core.files import local_path
from core.imports import (
    MB,
    ProgressCallback,
    RowIssue,
    existing_file,
    file_too_large_message,
    job_finish,
    job_progress,
    job_queue_on_commit,
    job_run_now,
)
from core.permissions import ensure_in_scope, require
from core.services import changed_fields, check_version, save_versioned
from organisations.models import Organisation, organisation_ids_for
from portfolio.importers import (
    MAX_MB,
    BuurtIndex,
    RegisterFileError,
    corporation_gemeenten,
    place,
    read_lookup,
    read_register,
)
from portfolio.models import Complex, ComplexImport, ComplexStrategy, Portfolio, StrategyKind

FILE_SUFFIXES = (".csv", ".txt", ".xlsx")
NO_IMPORT_RIGHTS = _(
    "U mag het complexenregister van deze corporatie niet importeren. Dat doen haar bewerkers en beheerders."
)


# --- the portfolio ----------------------------------------------------------------------------


def portfolio_ensure(organisation: Organisation) -> Portfolio:
    """The stored portfolio of a corporation, made with the default thresholds the first
    time it is needed."""
    portfolio, _created = Portfolio.objects.get_or_create(organisation=organisation)
    return portfolio


@transaction.atomic
def portfolio_update(*, actor, portfolio: Portfolio, version, **fields) -> Portfolio:
    """Set the thresholds of the flags (the corporation's beheerders). A stale
    ``version`` raises ``ConflictError``."""
    if portfolio.pk is None:
        portfolio = portfolio_ensure(portfolio.organisation)
        version = portfolio.version if version is None else version
    portfolio = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
    require(actor, "change", portfolio, _("Alleen beheerders van de corporatie stellen de drempels in."))
    check_version(portfolio, version)
    allowed = {"pressure_classes", "strong_classes", "raise_threshold", "lower_threshold"}
    if changed_fields(portfolio, {k: v for k, v in fields.items() if k in allowed}):
        save_versioned(portfolio, actor=actor)
    return portfolio


def _gemeente_organisations(organisations) -> list[Organisation]:
    chosen = list(organisations)
    wrong = [org.name for org in chosen if org.kind != Organisation.Kind.GEMEENTE]
    if wrong:
        raise ValidationError(
            {
                "organisations": _("Deel de portefeuille alleen met gemeenten; niet met %(names)s.")
                % {"names": ", ".join(wrong)}
            }
        )
    return chosen


@transaction.atomic
def portfolio_share(*, actor, portfolio: Portfolio, organisations, version=None) -> Portfolio:
    """Set the gemeenten the portfolio view is shared with (the corporation's
    beheerders). A gemeente it is shared with sees the projection and the flags for its
    own buurten, nothing else. Uses the foundation's object sharing."""
    from organisations.services import object_share, object_unshare

    if portfolio.pk is None:
        portfolio = portfolio_ensure(portfolio.organisation)
    portfolio = Portfolio.objects.select_for_update().get(pk=portfolio.pk)
    require(actor, "change", portfolio, _("Alleen beheerders van de corporatie delen de portefeuille."))
    if version is not None:
        check_version(portfolio, version)
    chosen = {org.pk: org for org in _gemeente_organisations(organisations)}
    current = {org.pk: org for org in shared_organisations(portfolio)}
    for pk in chosen.keys() - current.keys():
        object_share(actor=actor, obj=portfolio, action="view", organisation=chosen[pk])
    for pk in current.keys() - chosen.keys():
        object_unshare(actor=actor, obj=portfolio, action="view", organisation=current[pk])
    if chosen.keys() != current.keys():
        # The history records the change of sharing, by whom.
        save_versioned(
            portfolio,
            actor=actor,
            reason=_("gedeeld met: %(names)s")
            % {"names": ", ".join(sorted(o.name for o in chosen.values())) or "—"},
        )
    return portfolio


def shared_organisations(portfolio: Portfolio) -> list[Organisation]:
    """The organisations the portfolio is shared with (through their members group)."""
    from guardian.models import GroupObjectPermission

    if portfolio.pk is None:
        return []
    group_ids = GroupObjectPermission.objects.filter(
        object_pk=str(portfolio.pk),
        content_type__app_label="portfolio",
        content_type__model="portfolio",
        permission__codename="view_portfolio",
    ).values("group_id")
    return list(Organisation.objects.filter(members_group_id__in=group_ids).order_by("name"))


# --- strategies ---------------------------------------------------------------------------------


def _check_strategy(kind, horizon_year, rationale, planned) -> dict:
    errors = {}
    if kind not in StrategyKind.values:
        errors["kind"] = _("Kies een strategie uit de lijst.")
    if not (rationale or "").strip():
        errors["rationale"] = _("Schrijf op waarom deze strategie past.")
    if kind == StrategyKind.SLOOP_NIEUWBOUW:
        small = planned.pop("planned_small_social", None)
        if all(value is None for value in planned.values()):
            errors["planned_social_rent"] = _(
                "Vul bij sloop-nieuwbouw in hoeveel woningen per huurklasse terugkomen (0 mag)."
            )
        planned = {name: value or 0 for name, value in planned.items()}
        if small is not None and small > planned["planned_social_rent"]:
            errors["planned_small_social"] = _(
                "Er kunnen niet meer kleine sociale huurwoningen terugkomen dan sociale huurwoningen."
            )
        planned["planned_small_social"] = small
    else:
        # Only sloop-nieuwbouw plans dwellings back.
        planned = dict.fromkeys(planned)
    if errors:
        raise ValidationError(errors)
    return planned


@transaction.atomic
def strategy_set(
    *,
    actor,
    complex: Complex,
    kind: str,
    horizon_year: int,
    rationale: str,
    planned_social_rent: int | None = None,
    planned_mid_rent: int | None = None,
    planned_free_sector: int | None = None,
    planned_small_social: int | None = None,
    commitments=(),
    version: int | None = None,
) -> ComplexStrategy:
    """Set or change the strategy of a complex (the corporation's bewerkers). The first
    strategy needs no version; a change needs the version the person started from.
    ``commitments`` are the agreement commitments it delivers, among those the person
    may see."""
    complex = Complex.objects.select_for_update().get(pk=complex.pk)
    require(actor, "change", complex, _("U mag de strategie van dit complex niet wijzigen."))
    if complex.is_archived:
        raise ValidationError(_("Dit complex is gearchiveerd; het krijgt geen strategie meer."))
    planned = _check_strategy(
        kind,
        horizon_year,
        rationale,
        {
            "planned_social_rent": planned_social_rent,
            "planned_mid_rent": planned_mid_rent,
            "planned_free_sector": planned_free_sector,
            "planned_small_social": planned_small_social,
        },
    )
    chosen = list(commitments)
    visible = set(
        Commitment.objects.restrict(actor, "view")
        .filter(pk__in=[c.pk for c in chosen])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in chosen):
        raise ValidationError({"commitments": _("Kies afspraken uit de lijst.")})
    strategy = ComplexStrategy.objects.select_for_update().filter(complex=complex).first()
    values = {"kind": kind, "horizon_year": horizon_year, "rationale": rationale.strip(), **planned}
    if strategy is None:
        strategy = ComplexStrategy(complex=complex, updated_by=actor, **values)
        save_versioned(strategy, actor=actor)
    else:
        check_version(strategy, version)
        changed = changed_fields(strategy, values)
        before = set(strategy.commitments.values_list("pk", flat=True))
        if changed or before != {c.pk for c in chosen}:
            strategy.updated_by = actor
            save_versioned(strategy, actor=actor)
    strategy.commitments.set(chosen)
    ensure_in_scope(actor, strategy)
    return strategy


@transaction.atomic
def strategy_delete(*, actor, strategy: ComplexStrategy, version: int) -> None:
    """Remove a complex's strategy (it keeps its history)."""
    strategy = ComplexStrategy.objects.select_for_update().get(pk=strategy.pk)
    require(actor, "delete", strategy, _("U mag deze strategie niet verwijderen."))
    check_version(strategy, version)
    strategy._history_user = actor
    strategy.delete()


# --- importing the register ---------------------------------------------------------------------


def importable_organisations(user):
    """The corporations whose register ``user`` may import (bewerkers and beheerders)."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.CORPORATIE, is_active=True)
    if user is not None and user.is_authenticated and (user.is_platform_admin or user.is_superuser):
        return qs
    if user is None or not user.is_authenticated:
        return qs.none()
    return qs.filter(pk__in=organisation_ids_for(user, "change"))


def _check_start(actor, organisation: Organisation, year) -> int:
    if not importable_organisations(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(NO_IMPORT_RIGHTS)
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": _("Vul een jaartal in, bijvoorbeeld 2025.")}) from exc
    gemeenten = corporation_gemeenten(organisation)
    if not gemeenten:
        raise ValidationError(
            {
                "organisation": _("Van %(name)s is geen gemeente bekend. Vul eerst haar CBS-gemeentecode in.")
                % {"name": organisation.name}
            }
        )
    if not Area.objects.filter(year=year, kind=AreaKind.BUURT, gemeente_code__in=gemeenten).exists():
        raise ValidationError(
            {
                "year": _(
                    "Er zijn geen buurten van %(year)s in de gemeenten van %(name)s. Kies een jaar waarvan de "
                    "grenzen zijn geïmporteerd."
                )
                % {"year": year, "name": organisation.name}
            }
        )
    return year


def _check_file(name: str, size: int, field: str = "file") -> None:
    if not name.lower().endswith(FILE_SUFFIXES):
        raise ValidationError({field: _("Kies een CSV-bestand of een Excel-bestand (.xlsx).")})
    if size == 0:
        raise ValidationError({field: _("Het bestand is leeg.")})
    if size > MAX_MB * MB:
        raise ValidationError({field: file_too_large_message(size, MAX_MB * MB)})


@transaction.atomic
def complex_import_start(
    *,
    actor,
    organisation: Organisation,
    uploaded_file,
    year: int,
    dry_run: bool = True,
    remove_missing: bool = False,
    lookup_file=None,
) -> ComplexImport:
    """Store an uploaded register (and address file) and queue its import. Refuses at
    once what can be seen without reading the files; the rows are checked by the task."""
    year = _check_start(actor, organisation, year)
    name = Path(uploaded_file.name or "complexen.csv").name
    _check_file(name, uploaded_file.size or 0)
    if lookup_file is not None:
        _check_file(Path(lookup_file.name or "").name, lookup_file.size or 0, "lookup_file")
    job = ComplexImport(
        organisation=organisation,
        file=uploaded_file,
        lookup_file=lookup_file or "",
        original_name=name[:255],
        year=year,
        dry_run=dry_run,
        remove_missing=remove_missing,
        started_by=actor,
        status=ComplexImport.Status.QUEUED,
    )
    save_versioned(job, actor=actor)
    job_queue_on_commit(job, "portfolio.tasks.complex_import_run")
    return job


@transaction.atomic
def complex_import_confirm(*, actor, job: ComplexImport) -> ComplexImport:
    """After a successful trial run: import the same files for real, as a new job."""
    if not job.dry_run or job.status != ComplexImport.Status.DONE:
        raise ValidationError(_("Alleen een geslaagde proefimport kan worden doorgezet."))
    _check_start(actor, job.organisation, job.year)
    new = ComplexImport(
        organisation=job.organisation,
        original_name=job.original_name,
        year=job.year,
        dry_run=False,
        remove_missing=job.remove_missing,
        started_by=actor,
        status=ComplexImport.Status.QUEUED,
    )
    with job.file.open("rb") as handle:
        new.file = File(handle, name=Path(job.file.name).name)
        if job.lookup_file:
            with job.lookup_file.open("rb") as lookup:
                new.lookup_file = File(lookup, name=Path(job.lookup_file.name).name)
                save_versioned(new, actor=actor)
        else:
            save_versioned(new, actor=actor)
    job_queue_on_commit(new, "portfolio.tasks.complex_import_run")
    return new


def complex_import_file(
    *,
    actor,
    path,
    organisation: Organisation,
    year: int,
    dry_run: bool = False,
    remove_missing: bool = False,
    lookup_path=None,
    stdout=None,
) -> ComplexImport:
    """Import a register from disk at once (management command, demo), without Celery.
    The files are copied into the job's storage like an upload."""
    year = _check_start(actor, organisation, year)
    path = existing_file(path)
    _check_file(path.name, path.stat().st_size)
    lookup_path = existing_file(lookup_path) if lookup_path else None
    job = ComplexImport(
        organisation=organisation,
        original_name=path.name[:255],
        year=year,
        dry_run=dry_run,
        remove_missing=remove_missing,
        started_by=actor,
    )
    with path.open("rb") as handle:
        job.file = File(handle, name=path.name)
        if lookup_path:
            with lookup_path.open("rb") as lookup:
                job.lookup_file = File(lookup, name=lookup_path.name)
                save_versioned(job, actor=actor)
        else:
            save_versioned(job, actor=actor)
    return job_run_now(
        job,
        lambda progress_callback: complex_import_run(job_id=job.pk, progress_callback=progress_callback),
        stdout=stdout,
    )


def _values(row) -> dict:
    return {
        "name": row.name,
        "street": row.street,
        "house_number": row.house_number,
        "postcode": row.postcode,
        "city": row.city,
        "x_rd": row.x_rd,
        "y_rd": row.y_rd,
        "lat": row.lat,
        "lon": row.lon,
        "located_by_lookup": row.located_by_lookup,
        "single_family": row.single_family,
        "multi_family": row.multi_family,
        "social_rent": row.social_rent,
        "mid_rent": row.mid_rent,
        "free_sector": row.free_sector,
        "year_built": row.year_built,
        "energy_label": row.energy_label,
        "buurt_id": row.buurt_id,
        "is_archived": False,
    }


def _same(name, stored, new) -> bool:
    if isinstance(stored, float) or isinstance(new, float):
        if stored is None or new is None:
            return stored is None and new is None
        places = 2 if name in {"x_rd", "y_rd"} else 6
        return round(stored, places) == round(new, places)
    return stored == new


def complex_import_run(*, job_id: int, progress_callback: ProgressCallback = None) -> ComplexImport:
    """Run a queued register import with the rights of the person who started it.

    Reads and places every row; any error: nothing is stored and the job is ``mislukt``
    with the errors per row. The preview lists every complex as new, changed, unchanged
    or missing from the file. A dry run stops there; a real run stores the new and
    changed complexes (and archives the missing ones when chosen) in one transaction.
    """
    job = ComplexImport.objects.select_related("organisation", "started_by").get(pk=job_id)
    if job.is_finished:
        return job
    cb = progress_callback
    failed = ComplexImport.Status.FAILED
    job_progress(job, 5, _("bestand lezen"), cb, status=ComplexImport.Status.RUNNING)
    actor, organisation = job.started_by, job.organisation
    if actor is None or not importable_organisations(actor).filter(pk=organisation.pk).exists():
        return job_finish(job, status=failed, errors=[RowIssue(None, "", NO_IMPORT_RIGHTS)], callback=cb)
    try:
        lookup = None
        if job.lookup_file:
            with local_path(job.lookup_file) as path:
                lookup = read_lookup(path, name=job.lookup_file.name)
        with local_path(job.file) as path:
            register = read_register(path, name=job.original_name, lookup=lookup)
    except RegisterFileError as exc:
        return job_finish(job, status=failed, errors=[RowIssue(None, "", exc.message)], callback=cb)
    job_progress(
        job, 30, _("%(n)s rijen gelezen; complexen in buurten plaatsen") % {"n": register.rows_read}, cb
    )
    gemeenten = corporation_gemeenten(organisation)
    index = BuurtIndex.build(year=job.year, gemeenten=gemeenten)
    place(register, index, gemeenten=gemeenten)
    counts = {"rows": register.rows_read}
    if register.errors:
        register.errors.sort(key=lambda issue: issue.row or 0)
        return job_finish(
            job, status=failed, errors=register.errors, warnings=register.warnings, counts=counts, callback=cb
        )
    job_progress(job, 60, _("vergelijken met het register"), cb)
    buurten = dict(
        Area.objects.filter(pk__in={row.buurt_id for row in register.rows}).values_list("pk", "code")
    )
    stored = {c.number: c for c in Complex.objects.filter(organisation=organisation)}
    preview, new, changed = [], [], []
    unchanged = 0
    for row in register.rows:
        values = {**_values(row), "boundary_year": job.year}
        current = stored.get(row.number)
        entry = {"number": row.number, "name": row.name, "buurt": buurten.get(row.buurt_id, "")}
        if current is None:
            new.append(Complex(organisation=organisation, number=row.number, **values))
            preview.append({**entry, "status": "nieuw", "fields": []})
            continue
        differ = [
            name
            for name, value in values.items()
            if name != "located_by_lookup" and not _same(name, getattr(current, name), value)
        ]
        if not differ:
            unchanged += 1
            preview.append({**entry, "status": "ongewijzigd", "fields": []})
            continue
        labels = [str(Complex._meta.get_field(name.removesuffix("_id")).verbose_name) for name in differ]
        for name in differ:
            setattr(current, name, values[name])
        changed.append(current)
        preview.append({**entry, "status": "gewijzigd", "fields": labels})
    in_file = {row.number for row in register.rows}
    missing = [c for c in stored.values() if c.number not in in_file and not c.is_archived]
    for c in sorted(missing, key=lambda c: c.number):
        preview.append(
            {
                "number": c.number,
                "name": c.name,
                "buurt": "",
                "status": "gearchiveerd" if job.remove_missing else "ontbreekt",
                "fields": [],
            }
        )
    warnings = list(register.warnings)
    if missing and not job.remove_missing:
        warnings.append(
            RowIssue(
                None,
                "",
                _(
                    "%(n)s complexen staan niet in het bestand. Ze blijven staan; kies 'ontbrekende complexen "
                    "archiveren' (--remove-missing) als het bestand het hele register is."
                )
                % {"n": len(missing)},
            )
        )
    counts.update(
        created=len(new),
        changed=len(changed),
        unchanged=unchanged,
        missing=len(missing),
        archived=len(missing) if job.remove_missing else 0,
    )
    order = {"nieuw": 0, "gewijzigd": 1, "ontbreekt": 2, "gearchiveerd": 2, "ongewijzigd": 3}
    preview.sort(key=lambda entry: (order[entry["status"]], entry["number"]))
    job.preview = preview[:1000]
    job.save(update_fields=["preview", "updated_at"])
    if not job.dry_run:
        job_progress(job, 75, _("%(n)s complexen opslaan") % {"n": len(new) + len(changed)}, cb)
        archived = missing if job.remove_missing else []
        _store(actor=actor, organisation=organisation, new=new, changed=changed, archived=archived, job=job)
    return job_finish(job, status=ComplexImport.Status.DONE, warnings=warnings, counts=counts, callback=cb)


@transaction.atomic
def _store(*, actor, organisation, new, changed, archived, job) -> None:
    """Write an import's complexes in one transaction, each with its history record."""
    portfolio_ensure(organisation)
    reason = _("import van %(name)s") % {"name": job.original_name}
    for complex in archived:
        complex.is_archived = True
        changed.append(complex)
    for complex in new:
        complex.version = 1
        complex.full_clean(
            exclude=["organisation", "buurt"], validate_unique=False, validate_constraints=False
        )
    for complex in changed:
        complex.version += 1
        complex.full_clean(
            exclude=["organisation", "buurt"], validate_unique=False, validate_constraints=False
        )
    if new:
        bulk_create_with_history(
            new, Complex, batch_size=1000, default_user=actor, default_change_reason=reason
        )
    if changed:
        fields = [name.removesuffix("_id") for name in Complex.REGISTER_FIELDS]
        fields += ["located_by_lookup", "version", "updated_at"]
        now = timezone.now()
        for complex in changed:
            complex.updated_at = now
        bulk_update_with_history(
            changed, Complex, fields, batch_size=1000, default_user=actor, default_change_reason=reason
        )
