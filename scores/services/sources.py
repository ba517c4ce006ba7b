"""Writes for sources, their sharing, indicators and score models.

A licensed source (for instance an Aedes veerkrachtkaart) belongs to its owner
organisation: its bewerkers create and change it, its beheerders decide with which
organisations it is shared and may delete it. Open sources without an owner (CBS, the
Leefbaarometer) and the score models are managed by platform admins.

Every write checks the actor's rights here, validates before saving (nothing is
half-saved), records who did it in the history and refuses stale edits.
"""

import logging
from collections.abc import Iterable
from itertools import pairwise

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import allowed, ensure_in_scope, is_platform_admin, require
from core.queueing import queue
from core.services import check_version, save_versioned
from organisations.models import Organisation, organisation_ids_for
from scores import versions
from scores.models import (
    Indicator,
    IndicatorValue,
    ModelIndicator,
    Score,
    ScoreImport,
    ScoreModel,
    Source,
    SourceKind,
)

logger = logging.getLogger(__name__)

NO_SOURCE_RIGHTS = _("Alleen bewerkers van de eigenaar van deze bron mogen haar wijzigen.")
NO_SHARE_RIGHTS = _("Alleen beheerders van de eigenaar van deze bron bepalen met wie zij gedeeld wordt.")
NO_DELETE_RIGHTS = _("Alleen beheerders van de eigenaar van deze bron mogen haar verwijderen.")
NO_INDICATOR_RIGHTS = _("Alleen wie de bron van deze indicator beheert, mag de indicator wijzigen.")
NO_MODEL_RIGHTS = _("Alleen platformbeheerders beheren de scoremodellen.")

SOURCE_UPDATABLE_FIELDS = ("name", "kind", "description", "licence", "is_licensed")


# --- helpers ---------------------------------------------------------------------------


def _lock(model, obj):
    return model.objects.select_for_update(of=("self",)).get(pk=obj.pk)


def _save_source(source: Source, *, actor, reason: str) -> Source:
    return save_versioned(source, actor=actor, reason=reason)


def _check_licence_rules(*, kind: str, is_licensed: bool, owner_organisation) -> None:
    """The rules every source keeps, on create and on update."""
    errors = {}
    if kind == SourceKind.AEDES_VEERKRACHT and not is_licensed:
        errors["is_licensed"] = _(
            "Een Aedes veerkrachtkaart is alleen voor leden van Aedes en is dus altijd gelicentieerd. "
            "Vink ‘gelicentieerd’ aan."
        )
    if is_licensed and owner_organisation is None:
        errors["owner_organisation"] = _(
            "Een gelicentieerde bron hoort bij een organisatie die bepaalt wie de cijfers ziet. "
            "Kies de eigenaar."
        )
    if errors:
        raise ValidationError(errors)


def _queue_recompute(model_ids: list[int]) -> None:
    """Queue a recomputation of the given models; a broker outage must not undo or fail
    the edit that was already committed (the next import or edit recomputes again)."""
    queue(
        "scores.tasks.scores_recompute",
        model_ids=model_ids,
        what=f"the recomputation of score models {model_ids}",
    )


def _after_commit(model_ids: Iterable[int] = ()) -> None:
    model_ids = sorted(set(model_ids))

    def run():
        if model_ids:
            _queue_recompute(model_ids)
        versions.data_changed()

    transaction.on_commit(run)


def creatable_owner_organisations(actor):
    """The organisations a person may create a source for: those where they edit."""
    return Organisation.objects.filter(pk__in=organisation_ids_for(actor, "change"), is_active=True).order_by(
        "name"
    )


def may_create_source(actor) -> bool:
    """Whether the person may create a source at all (an organisation's bewerker or
    beheerder, or a platform admin)."""
    return is_platform_admin(actor) or creatable_owner_organisations(actor).exists()


# --- sources ---------------------------------------------------------------------------


@transaction.atomic
def source_create(
    *,
    actor,
    name: str,
    kind: str,
    description: str = "",
    licence: str = "",
    is_licensed: bool,
    owner_organisation: Organisation | None = None,
) -> Source:
    """Create a source owned by one of the actor's organisations (licensed or open), or,
    for platform admins, an open national source without owner.

    An Aedes veerkrachtkaart is always licensed and always has an owner.
    """
    if owner_organisation is None:
        if not is_platform_admin(actor):
            raise PermissionDenied(
                _(
                    "Alleen platformbeheerders maken een landelijke bron zonder eigenaar. "
                    "Kies uw eigen organisatie als eigenaar."
                )
            )
    elif not creatable_owner_organisations(actor).filter(pk=owner_organisation.pk).exists():
        raise PermissionDenied(
            _("U kunt alleen een bron aanmaken voor een organisatie waarin u bewerker of beheerder bent.")
        )
    _check_licence_rules(kind=kind, is_licensed=is_licensed, owner_organisation=owner_organisation)
    source = Source(
        name=(name or "").strip(),
        kind=kind,
        description=description or "",
        licence=licence or "",
        is_licensed=is_licensed,
        owner_organisation=owner_organisation,
        created_by=actor,
    )
    _save_source(source, actor=actor, reason=_("bron aangemaakt"))
    ensure_in_scope(actor, source, "change")
    return source


@transaction.atomic
def source_update(*, actor, source: Source, version: int, **fields) -> Source:
    """Change a source's name, file kind, description, licence text or whether it is
    licensed (bewerkers of the owner; opening or closing the data is for those who may
    share it). A stale ``version`` raises ``ConflictError``."""
    source = _lock(Source, source)
    require(actor, "change", source, NO_SOURCE_RIGHTS)
    check_version(source, version)
    unknown = set(fields) - set(SOURCE_UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(_("Deze velden kunnen niet worden gewijzigd: %s") % ", ".join(sorted(unknown)))
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    changed = [name for name, value in fields.items() if getattr(source, name) != value]
    if not changed:
        return source
    if "is_licensed" in changed and not allowed(actor, "share", source):
        raise PermissionDenied(
            _(
                "Alleen beheerders van de eigenaar bepalen of de cijfers van deze bron open of gelicentieerd zijn."
            )
        )
    if "kind" in changed and source.imports.exists():
        raise ValidationError(
            {"kind": _("Er zijn al bestanden in deze bron ingelezen; de soort bestand blijft daarom gelijk.")}
        )
    for name in changed:
        setattr(source, name, fields[name])
    _check_licence_rules(
        kind=source.kind, is_licensed=source.is_licensed, owner_organisation=source.owner_organisation
    )
    _save_source(source, actor=actor, reason=_("bron gewijzigd"))
    ensure_in_scope(actor, source, "change")
    if "is_licensed" in changed:
        # Who sees the figures changed: cached maps and tables must not be reused.
        _after_commit()
    return source


@transaction.atomic
def source_share(*, actor, source: Source, organisations: Iterable[Organisation], version: int) -> Source:
    """Set the organisations a licensed source is shared with (the owner's beheerders).

    The owner always sees its own source and is left out of the list. An open source is
    visible to everyone already and cannot be shared.
    """
    source = _lock(Source, source)
    require(actor, "share", source, NO_SHARE_RIGHTS)
    check_version(source, version)
    if not source.is_licensed:
        raise ValidationError(
            _(
                "Deze bron is open: iedereen die is ingelogd ziet haar al. Delen is alleen nodig bij gelicentieerde bronnen."
            )
        )
    chosen = {org.pk: org for org in organisations if org.pk != source.owner_organisation_id}
    inactive = Organisation.objects.filter(pk__in=list(chosen), is_active=False).order_by("name")
    if inactive:
        raise ValidationError(
            {
                "organisations": _("Deze organisaties zijn niet meer actief; kies ze niet: %s")
                % ", ".join(org.name for org in inactive)
            }
        )
    current = set(source.shared_with.values_list("pk", flat=True))
    if current == set(chosen):
        return source
    source.skip_history_when_saving = True
    try:
        source.shared_with.set(list(chosen.values()))
    finally:
        del source.skip_history_when_saving
    _save_source(source, actor=actor, reason=_("delen gewijzigd"))
    ensure_in_scope(actor, source, "view")
    _after_commit()
    return source


@transaction.atomic
def source_delete(*, actor, source: Source) -> None:
    """Delete a source with everything that comes from it: its indicators and their
    values, its import jobs (and their files), the score models it feeds and their scores
    (the owner's beheerders; platform admins for open national sources).

    Refused while another model still uses one of its indicators, so no model is left
    half-built.
    """
    source = _lock(Source, source)
    require(actor, "delete", source, NO_DELETE_RIGHTS)
    models_of_source = list(ScoreModel.objects.filter(source=source).values_list("pk", flat=True))
    used_elsewhere = (
        ScoreModel.objects.filter(components__indicator__source=source)
        .exclude(pk__in=models_of_source)
        .distinct()
        .order_by("name")
    )
    if used_elsewhere:
        raise ValidationError(
            _(
                "Indicatoren van deze bron worden gebruikt in het scoremodel %(models)s. "
                "Haal ze daar eerst uit en verwijder de bron daarna."
            )
            % {"models": ", ".join(model.name for model in used_elsewhere)}
        )
    files = [job.file.name for job in ScoreImport.objects.filter(source=source) if job.file]
    storage = ScoreImport._meta.get_field("file").storage
    # Values and scores carry no signals or history, so these are single DELETE queries.
    Score.objects.filter(model_id__in=models_of_source).delete()
    IndicatorValue.objects.filter(indicator__source=source).delete()
    for model in ScoreModel.objects.filter(pk__in=models_of_source):
        model._history_user = actor
        model.delete()
    for indicator in Indicator.objects.filter(source=source):
        indicator._history_user = actor
        indicator.delete()
    ScoreImport.objects.filter(source=source).delete()
    source._history_user = actor
    source._change_reason = _("bron verwijderd")
    source.delete()

    def remove_files():
        for name in files:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not remove import file %s", name)

    transaction.on_commit(remove_files)
    _after_commit()


# --- indicators ------------------------------------------------------------------------


@transaction.atomic
def indicator_update(
    *,
    actor,
    indicator: Indicator,
    version: int,
    name: str,
    unit: str,
    description: str,
    direction: str,
    aggregation: str,
    decimals: int,
    is_key: bool,
) -> Indicator:
    """Change how an indicator is named, shown and added up (whoever may import into its
    source). A change of direction or aggregation recomputes the models that use it."""
    indicator = _lock(Indicator, indicator)
    require(actor, "change", indicator, NO_INDICATOR_RIGHTS)
    check_version(indicator, version)
    data = {
        "name": (name or "").strip(),
        "unit": unit or "",
        "description": description or "",
        "direction": direction,
        "aggregation": aggregation,
        "decimals": decimals,
        "is_key": bool(is_key),
    }
    changed = [field for field, value in data.items() if getattr(indicator, field) != value]
    if not changed:
        return indicator
    for field in changed:
        setattr(indicator, field, data[field])
    save_versioned(indicator, actor=actor, reason=_("indicator gewijzigd"))
    ensure_in_scope(actor, indicator, "change")
    model_ids = []
    if {"direction", "aggregation"} & set(changed):
        model_ids = list(
            ScoreModel.objects.filter(components__indicator=indicator, is_active=True)
            .values_list("pk", flat=True)
            .distinct()
        )
    _after_commit(model_ids)
    return indicator


# --- score models ----------------------------------------------------------------------


def _clean_cutoffs(model: ScoreModel, cutoffs) -> list[float]:
    try:
        values = [float(value) for value in (cutoffs or [])]
    except (TypeError, ValueError) as exc:
        raise ValidationError({"cutoffs": _("Klassengrenzen zijn getallen, bijvoorbeeld -0,75.")}) from exc
    if model.kind != ScoreModel.Kind.INDEX:
        return values
    needed = len(model.classes) - 1
    if len(values) != needed:
        raise ValidationError(
            {
                "cutoffs": _(
                    "Dit model heeft %(classes)d klassen en dus precies %(needed)d klassengrenzen nodig; "
                    "u gaf er %(given)d."
                )
                % {"classes": len(model.classes), "needed": needed, "given": len(values)}
            }
        )
    if any(later <= earlier for earlier, later in pairwise(values)):
        raise ValidationError(
            {"cutoffs": _("Zet de klassengrenzen van laag naar hoog, elke grens hoger dan de vorige.")}
        )
    return values


def _clean_components(model: ScoreModel, components) -> list[tuple[Indicator, float, str]]:
    cleaned = []
    errors = []
    seen = set()
    for indicator, weight, role in components:
        role = role or ""
        try:
            weight = float(weight)
        except (TypeError, ValueError):
            errors.append(_("Het gewicht van %s is geen getal.") % indicator.name)
            continue
        if weight < 0:
            errors.append(_("Het gewicht van %s is negatief; gebruik 0 of meer.") % indicator.name)
        if indicator.source.is_licensed:
            errors.append(
                _(
                    "%s komt uit een gelicentieerde bron; een open model gebruikt alleen open indicatoren, "
                    "anders zou iedereen de cijfers kunnen afleiden."
                )
                % indicator.name
            )
        if model.kind == ScoreModel.Kind.INDEX and role:
            errors.append(_("In een index heeft %s geen rol nodig.") % indicator.name)
        if model.kind == ScoreModel.Kind.SIGNAL and role not in (
            ModelIndicator.Role.VULNERABILITY,
            ModelIndicator.Role.NUISANCE,
        ):
            errors.append(
                _("Kies voor %s de rol kwetsbaarheid of overlast en onveiligheid.") % indicator.name
            )
        if (indicator.pk, role) in seen:
            errors.append(_("%s staat twee keer in het model.") % indicator.name)
        seen.add((indicator.pk, role))
        cleaned.append((indicator, weight, role))
    if errors:
        raise ValidationError({"components": errors})
    weighted = any(weight > 0 for _indicator, weight, _role in cleaned)
    if model.kind in (ScoreModel.Kind.INDEX, ScoreModel.Kind.SIGNAL) and not weighted:
        raise ValidationError({"components": _("Geef ten minste één indicator een gewicht groter dan 0.")})
    if model.kind == ScoreModel.Kind.SIGNAL:
        roles = {role for _indicator, weight, role in cleaned if weight > 0}
        if roles != {ModelIndicator.Role.VULNERABILITY, ModelIndicator.Role.NUISANCE}:
            raise ValidationError(
                {
                    "components": _(
                        "De signaaltypologie kruist twee trends: geef zowel een indicator voor kwetsbaarheid "
                        "als een voor overlast en onveiligheid een gewicht groter dan 0."
                    )
                }
            )
    if model.kind == ScoreModel.Kind.PUBLISHED and cleaned:
        raise ValidationError(
            {
                "components": _(
                    "Een gepubliceerde score neemt de klasse uit het bestand over en heeft geen indicatoren."
                )
            }
        )
    return cleaned


@transaction.atomic
def score_model_update(
    *,
    actor,
    model: ScoreModel,
    version: int,
    name: str,
    description: str,
    cutoffs,
    min_population: int,
    weighting: str,
    stable_band: float,
    is_active: bool,
    components,
) -> ScoreModel:
    """Change a score model (platform admins): its texts, class boundaries, minimum
    population, weighting, stable band, whether it is active and its indicators with their
    weights and roles. After commit its scores are recomputed.

    ``components`` is a list of ``(indicator, weight, role)``. An index needs ascending
    class boundaries, one fewer than its classes; weights are 0 or more with at least one
    above 0; index and signal models use only indicators of open sources; the signal
    typology needs an indicator for both of its roles.
    """
    if not is_platform_admin(actor):
        raise PermissionDenied(NO_MODEL_RIGHTS)
    model = _lock(ScoreModel, model)
    require(actor, "change", model, NO_MODEL_RIGHTS)
    check_version(model, version)
    components = list(components)
    model.name = (name or "").strip()
    model.description = description or ""
    model.cutoffs = _clean_cutoffs(model, cutoffs)
    model.min_population = min_population
    model.weighting = weighting
    model.stable_band = stable_band
    model.is_active = bool(is_active)
    cleaned = _clean_components(model, components)
    save_versioned(model, actor=actor, reason=_("scoremodel gewijzigd"))
    current = {(c.indicator_id, c.role): c for c in model.components.all()}
    wanted = {(indicator.pk, role): (indicator, weight) for indicator, weight, role in cleaned}
    for key, component in current.items():
        if key not in wanted:
            component._history_user = actor
            component.delete()
    for key, (indicator, weight) in wanted.items():
        component = current.get(key) or ModelIndicator(model=model, indicator=indicator, role=key[1])
        if component.pk and component.weight == weight:
            continue
        component.weight = weight
        component.full_clean()
        component._history_user = actor
        component.save()
    ensure_in_scope(actor, model, "change")
    _after_commit([model.pk])
    return model
