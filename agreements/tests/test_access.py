"""Who reaches which agreement page, export and endpoint: one Case per page, checked for
every persona (outsider → 404, tenants read but do not change → 403, the corporation
edits commitments, the gemeente reviews)."""

from decimal import Decimal

from django.urls import reverse

from agreements import services
from agreements.models import MonitoringReport, Theme
from agreements.tests.test_services import make_agreement, pdf_file, signed_agreement, to_negotiation
from tests.matrix import AccessMatrix, Case

PARTIES = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader"}
EDITORS = {"corp_editor", "org_admin", "gemeente_reviewer"}
READERS = PARTIES - EDITORS
CORPORATION = {"corp_editor", "org_admin"}
SIGNED_IN = PARTIES | {"outsider"}
REPORT_YEAR = 2025


def build_agreement_world(world):
    """A signed Velsen agreement with two commitments (the second disputed) and a
    submitted report for 2025 on the first."""
    if "agreement" in world.objects:
        return world
    agreement, (commitment, disputed) = signed_agreement(world, commitments=2)
    disputed = services.commitment_dispute(
        actor=world.gemeente_reviewer, commitment=disputed, note="De gemeente telt de woningen anders."
    )
    report = services.report_save_draft(
        actor=world.corp_editor,
        commitment=commitment,
        year=REPORT_YEAR,
        realised_value=Decimal("40"),
        progress=MonitoringReport.Progress.OP_KOERS,
        explanation="Veertig woningen opgeleverd aan de Lange Nieuwstraat.",
    )
    report = services.report_submit(actor=world.corp_editor, report=report, version=report.version)
    world.objects.update(agreement=agreement, commitment=commitment, report=report, disputed=disputed)
    return world


def with_document(world):
    """The agreement of ``build_agreement_world`` with its signed document attached."""
    build_agreement_world(world)
    services.agreement_attach_document(actor=world.org_admin, agreement=world.agreement, file=pdf_file())
    return world


def build_bod_world(world):
    """The corporation's bod for 2027 with one proposal, submitted to the gemeente and
    the tenants."""
    if "bod" in world.objects:
        return world
    bod = services.bod_create(
        actor=world.corp_editor,
        corporation=world.corporatie,
        gemeente_code="GM0453",
        year=2027,
        recipients=[world.gemeente, world.huurders],
        summary="Bod voor 2027",
    )
    proposal = services.commitment_create(
        actor=world.corp_editor,
        bod=bod,
        theme=Theme.KWALITEIT,
        text="Tweehonderd woningen naar label B",
        responsible=world.corporatie,
        target_value=Decimal("200"),
        target_unit="woningen",
        target_year=2027,
    )
    bod = services.bod_submit(actor=world.corp_editor, bod=bod)
    world.objects.update(bod=bod, proposal=proposal)
    return world


def build_negotiation_world(world):
    """An agreement in onderhandeling that nobody has signed yet."""
    if "negotiation" not in world.objects:
        agreement = make_agreement(world, title="Prestatieafspraken in onderhandeling")
        world.objects["negotiation"] = to_negotiation(world, agreement)
    return world


def with_amendment(world):
    """The agreement of ``build_agreement_world`` with its 2026 amendment open."""
    build_agreement_world(world)
    world.objects["amendment"] = services.amendment_open(
        actor=world.org_admin, agreement=world.agreement, year=2026, reason="Jaarlijkse herijking"
    )
    return world


def with_concept_agreement(world):
    """An agreement the corporation's beheerder has only drafted."""
    world.objects["concept"] = make_agreement(world, title="Prestatieafspraken in concept")
    return world


def with_bod_and_negotiation(world):
    """The submitted bod of ``build_bod_world`` and an agreement in onderhandeling that
    may take its proposal over."""
    return build_negotiation_world(build_bod_world(world))


def with_concept_bod(world):
    """A bod for 2028 the corporation has not submitted yet."""
    world.objects["concept_bod"] = services.bod_create(
        actor=world.corp_editor,
        corporation=world.corporatie,
        gemeente_code="GM0453",
        year=2028,
        recipients=[world.gemeente, world.huurders],
        summary="Bod voor 2028",
    )
    return world


def with_draft_report(world):
    """A monitoring draft for the year after the submitted report."""
    build_agreement_world(world)
    world.objects["draft"] = services.report_save_draft(
        actor=world.corp_editor,
        commitment=world.commitment,
        year=REPORT_YEAR + 1,
        realised_value=Decimal("60"),
        progress=MonitoringReport.Progress.OP_KOERS,
        explanation="Zestig woningen opgeleverd.",
    )
    return world


def _agreement(name, *args):
    return lambda w: reverse(f"agreements:{name}", args=[w.agreement.pk, *args])


def _commitment(name, *args):
    return lambda w: reverse(f"agreements:{name}", args=[w.commitment.pk, *args])


class TestAgreementPages(AccessMatrix):
    world_setup = staticmethod(build_agreement_world)
    cases = [
        Case(
            "agreement list",
            url=lambda w: reverse("agreements:list"),
            setup=build_agreement_world,
            allowed=PARTIES,
            contains=lambda w: w.agreement.title,
        ),
        Case("agreement page", url=_agreement("detail"), setup=build_agreement_world, allowed=PARTIES),
        Case("history", url=_agreement("history"), setup=build_agreement_world, allowed=PARTIES),
        Case("progress", url=_agreement("progress"), setup=build_agreement_world, allowed=PARTIES),
        Case("excel export", url=_agreement("excel"), setup=build_agreement_world, allowed=PARTIES),
        Case("pdf report", url=_agreement("pdf"), setup=build_agreement_world, allowed=PARTIES),
        Case("signed document", url=_agreement("document"), setup=with_document, allowed=PARTIES),
        Case(
            "edit page",
            url=_agreement("edit"),
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "add commitment page",
            url=_agreement("commitment-create"),
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case("commitment page", url=_commitment("commitment"), setup=build_agreement_world, allowed=PARTIES),
        Case(
            "commitment edit page",
            url=_commitment("commitment-edit"),
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "commitment edit (stale version refused, input kept)",
            method="post",
            url=_commitment("commitment-edit"),
            data=lambda w: {
                "theme": "beschikbaarheid",
                "text": "x",
                "responsible": w.corporatie.pk,
                "version": 0,
            },
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
            allowed_status=409,
        ),
        Case(
            "monitoring form",
            url=_commitment("monitoring", REPORT_YEAR + 1),
            setup=build_agreement_world,
            allowed=CORPORATION,
            visible={"gemeente_reviewer", "tenant_rep", "partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "approve monitoring",
            method="post",
            url=lambda w: reverse("agreements:report-review", args=[w.report.pk]),
            data={"decision": "goedkeuren", "comment": ""},
            setup=build_agreement_world,
            allowed={"gemeente_reviewer"},
            visible=PARTIES - {"gemeente_reviewer"} | {"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "comment on monitoring",
            method="post",
            url=lambda w: reverse("agreements:report-comment", args=[w.report.pk]),
            data={"text": "Goed bezig, graag ook de huurprijzen erbij."},
            setup=build_agreement_world,
            allowed=EDITORS | {"tenant_rep"},
            visible={"partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "reviewer dashboard",
            url=lambda w: reverse("agreements:reviewer-queue"),
            setup=build_agreement_world,
            allowed={"gemeente_reviewer"},
            contains="Veertig woningen opgeleverd",
            admin_allowed=False,
        ),
        Case(
            "bod list",
            url=lambda w: reverse("agreements:bod-list"),
            setup=build_bod_world,
            allowed=CORPORATION | {"gemeente_reviewer", "tenant_rep"},
            contains=lambda w: str(w.bod),
        ),
        Case(
            "bod page",
            url=lambda w: reverse("agreements:bod-detail", args=[w.bod.pk]),
            setup=build_bod_world,
            allowed=CORPORATION | {"gemeente_reviewer", "tenant_rep"},
        ),
        Case(
            "bod edit page",
            url=lambda w: reverse("agreements:bod-edit", args=[w.bod.pk]),
            setup=build_bod_world,
            allowed=CORPORATION,
            visible={"gemeente_reviewer", "tenant_rep"},
        ),
        Case(
            "new bod page",
            url=lambda w: reverse("agreements:bod-create"),
            allowed=CORPORATION,
            visible=SIGNED_IN - CORPORATION | {"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "sign for the tenants",
            method="post",
            url=lambda w: reverse(
                "agreements:sign",
                args=[w.negotiation.pk, w.negotiation.parties.get(organisation=w.huurders).pk],
            ),
            setup=build_negotiation_world,
            allowed={"tenant_rep"},
            visible=PARTIES - {"tenant_rep"} | {"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "status step",
            method="post",
            url=lambda w: reverse("agreements:transition", args=[w.negotiation.pk]),
            data=lambda w: {"status": "ondertekend", "version": w.negotiation.version},
            setup=build_negotiation_world,
            allowed={"org_admin"},
            visible=PARTIES - {"org_admin"},
        ),
        Case(
            "add commitment",
            method="post",
            url=lambda w: reverse("agreements:commitment-create", args=[w.negotiation.pk]),
            data=lambda w: {"theme": "leefbaarheid", "text": "Buurtbeheer", "responsible": w.corporatie.pk},
            setup=build_negotiation_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "save monitoring draft",
            method="post",
            url=_commitment("monitoring", REPORT_YEAR + 1),
            data={"progress": "op_koers", "realised_value": "10"},
            setup=build_agreement_world,
            allowed=CORPORATION,
            visible={"gemeente_reviewer", "tenant_rep", "partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "open amendment",
            method="post",
            url=_agreement("amendment-open"),
            data={"year": "2026", "reason": "Jaarlijkse herijking"},
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "close amendment",
            method="post",
            url=lambda w: reverse("agreements:amendment-close", args=[w.amendment.pk]),
            setup=with_amendment,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "commitment delete page",
            url=_commitment("commitment-delete"),
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "commitment delete (refused: it has monitoring)",
            method="post",
            url=_commitment("commitment-delete"),
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "report a dispute",
            method="post",
            url=_commitment("commitment-dispute"),
            data={"note": "Wij tellen de woningen anders."},
            setup=build_agreement_world,
            allowed={"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep"},
            visible={"partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "resolve a dispute",
            method="post",
            url=lambda w: reverse("agreements:commitment-resolve", args=[w.disputed.pk]),
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "adopt a proposal",
            method="post",
            url=lambda w: reverse("agreements:proposal-adopt", args=[w.proposal.pk]),
            data=lambda w: {"agreement": w.negotiation.pk},
            setup=with_bod_and_negotiation,
            allowed=EDITORS,
            visible={"tenant_rep"},
        ),
        Case(
            "submit a bod",
            method="post",
            url=lambda w: reverse("agreements:bod-submit", args=[w.concept_bod.pk]),
            setup=with_concept_bod,
            allowed=CORPORATION,
            # The bod is the corporation's own: a platform admin sees it, does not submit it.
            visible={"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "new proposal page",
            url=lambda w: reverse("agreements:proposal-create", args=[w.concept_bod.pk]),
            setup=with_concept_bod,
            allowed=CORPORATION,
        ),
        Case(
            "new agreement page",
            url=lambda w: reverse("agreements:create"),
            allowed={"org_admin", "outsider"},
            visible={"corp_editor", "gemeente_reviewer", "tenant_rep", "partner_reader"},
        ),
    ]


def _api(basename, kind="list", key=None):
    def url(w):
        if kind == "list":
            return reverse(f"{basename}-list")
        return reverse(f"{basename}-{kind}", args=[getattr(w, key).pk])

    return url


class TestAgreementApi(AccessMatrix):
    world_setup = staticmethod(build_agreement_world)
    cases = [
        Case(
            "api sign",
            method="post",
            url=lambda w: reverse("agreement-sign", args=[w.negotiation.pk]),
            api=True,
            setup=build_negotiation_world,
            allowed={"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep"},
            visible={"partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "api agreements",
            url=_api("agreement"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
            contains=lambda w: w.agreement.title,
        ),
        Case(
            "api agreement",
            url=_api("agreement", "detail", "agreement"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
        ),
        Case(
            "api parties",
            url=_api("agreement-party"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
            contains=lambda w: w.gemeente.slug,
        ),
        Case(
            "api commitments",
            url=_api("commitment"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
            contains="Bouw van sociale huurwoningen",
        ),
        Case(
            "api commitment",
            url=_api("commitment", "detail", "commitment"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
        ),
        Case(
            "api dispute",
            method="post",
            url=_api("commitment", "dispute", "commitment"),
            data={"note": "Wij tellen anders."},
            api=True,
            setup=build_agreement_world,
            allowed={"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep"},
            visible={"partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "api boden",
            url=_api("bod"),
            api=True,
            setup=build_bod_world,
            allowed=CORPORATION | {"gemeente_reviewer", "tenant_rep"},
            contains="Bod voor 2027",
        ),
        Case(
            "api bod",
            url=_api("bod", "detail", "bod"),
            api=True,
            setup=build_bod_world,
            allowed=CORPORATION | {"gemeente_reviewer", "tenant_rep"},
        ),
        Case(
            "api monitoring reports",
            url=_api("monitoring-report"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
            contains="Veertig woningen",
        ),
        Case(
            "api monitoring report",
            url=_api("monitoring-report", "detail", "report"),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
        ),
        Case(
            "api approve",
            method="post",
            url=_api("monitoring-report", "approve", "report"),
            data={"comment": ""},
            api=True,
            setup=build_agreement_world,
            allowed={"gemeente_reviewer"},
            visible=PARTIES - {"gemeente_reviewer"} | {"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "api return",
            method="post",
            url=_api("monitoring-report", "return", "report"),
            data={"comment": "Graag de adressen erbij."},
            api=True,
            setup=build_agreement_world,
            allowed={"gemeente_reviewer"},
            visible=PARTIES - {"gemeente_reviewer"} | {"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "api comment",
            method="post",
            url=_api("monitoring-report", "comments", "report"),
            data={"text": "Mooi resultaat."},
            api=True,
            setup=build_agreement_world,
            allowed=EDITORS | {"tenant_rep"},
            visible={"partner_reader", "platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "api party",
            url=lambda w: reverse("agreement-party-detail", args=[w.agreement.parties.first().pk]),
            api=True,
            setup=build_agreement_world,
            allowed=PARTIES,
        ),
        Case(
            "api status step",
            method="post",
            url=_api("agreement", "transition", "concept"),
            data=lambda w: {"to_status": "onderhandeling", "version": w.concept.version},
            api=True,
            setup=with_concept_agreement,
            allowed={"org_admin"},
            visible=PARTIES - {"org_admin"},
        ),
        Case(
            "api resolve",
            method="post",
            url=_api("commitment", "resolve", "disputed"),
            data={"note": ""},
            api=True,
            setup=build_agreement_world,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "api adopt",
            method="post",
            url=_api("commitment", "adopt", "proposal"),
            data=lambda w: {"agreement": w.negotiation.pk},
            api=True,
            setup=with_bod_and_negotiation,
            allowed=EDITORS,
            visible={"tenant_rep"},
        ),
        Case(
            "api bod submit",
            method="post",
            url=_api("bod", "submit", "concept_bod"),
            data={},
            api=True,
            setup=with_concept_bod,
            allowed=CORPORATION,
            visible={"platform_admin"},
            admin_allowed=False,
        ),
        Case(
            "api monitoring submit",
            method="post",
            url=_api("monitoring-report", "submit", "draft"),
            data=lambda w: {"version": w.draft.version},
            api=True,
            setup=with_draft_report,
            allowed=CORPORATION,
            visible=PARTIES - CORPORATION | {"platform_admin"},
            admin_allowed=False,
        ),
    ]
