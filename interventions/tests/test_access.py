"""Who may see and do what on every intervention page, export and API endpoint.

The world: the personas' organisations form the team around IJmuiden-Noord (see
``helpers``): the corporation is trekker, the gemeente and the welzijn partner are
partners, the tenants read along (meelezer); the outsider's Haarlem is not in it. The
intervention is led by the corporation with the gemeente as partner, so corp_editor,
org_admin and gemeente_reviewer edit it, tenant_rep and partner_reader only read it.
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions import services
from interventions.models import Attachment, InterventionImport, TeamMember
from interventions.tests.helpers import build_intervention, build_team, kwb_indicator, velsen
from organisations.models import Organisation
from tests import factories
from tests.matrix import MULTIPART, AccessMatrix, Case

TEAM = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader"}
EDITORS = {"corp_editor", "org_admin", "gemeente_reviewer"}
READERS = TEAM - EDITORS
SIGNED_IN = TEAM | {"outsider"}
TITLE = "Achter de voordeur in de Lagersbuurt"
UPDATE_TEXT = "Eerste ronde huisbezoeken gedaan."


def build(w):
    """The team, an intervention with one update and attachment, and a Velsen organisation
    outside the team; once per test."""
    if "team" in w.objects:
        return w
    areas = velsen()
    team = build_team(w, areas["wijk"])
    intervention = build_intervention(w, team)
    pdf = SimpleUploadedFile("verslag.pdf", b"%PDF-1.7\n" + b"0" * 200, content_type="application/pdf")
    update = services.progress_add(
        actor=w.corp_editor,
        intervention=intervention,
        date=datetime.date(2025, 4, 1),
        text=UPDATE_TEXT,
        progress=20,
        files=[pdf],
    )
    w.objects.update(
        team=team,
        intervention=intervention,
        update=update,
        attachment=Attachment.objects.get(update=update),
        gemeente_member=TeamMember.objects.get(team=team, organisation=w.gemeente),
        politie=factories.organisation(
            actor=w.platform_admin,
            name="Politie IJmond",
            kind=Organisation.Kind.PARTNER,
            gemeente_code="GM0453",
        ),
        wijk=areas["wijk"],
    )
    return w


def with_urgency(w):
    build(w)
    w.objects["urgency"] = services.urgency_record(
        actor=w.gemeente_reviewer, team=w.team, year=2024, urgency="hoog", rationale="Overlast stijgt."
    )
    return w


def with_import_job(w):
    """A finished upload of interventions, started by the corporation's bewerker: the job
    is theirs alone (and the platform admins')."""
    w.objects["job"] = InterventionImport.objects.create(
        file="imports/interventions/velsen.xlsx",
        original_name="velsen.xlsx",
        started_by=w.corp_editor,
        status=InterventionImport.Status.DONE,
    )
    return w


def _url(name, *keys):
    return lambda w: reverse(name, args=[getattr(build(w), key).pk for key in keys])


def _intervention_form(w):
    build(w)
    return {
        "title": "Achter de voordeur, tweede ronde",
        "description": "Ook in de Heidebuurt.",
        "theme": "leefbaarheid",
        "areas": [w.wijk.pk],
        "lead_organisation": w.corporatie.pk,
        "partner_organisations": [w.gemeente.pk],
        "start_date": "2025-03-01",
        "end_date": "2026-06-30",
        "budget": "30.000,00",
        "funder": "Gemeente Velsen",
        "indicators": [kwb_indicator("p_wcorpw").pk],
        "version": w.intervention.version,
    }


def _api_intervention(w):
    build(w)
    return {
        "team": w.team.pk,
        "title": "Buurtconciërge",
        "theme": "leefbaarheid",
        "areas": ["WK045301"],
        "lead_organisation": w.corporatie.slug,
        "partner_organisations": [w.gemeente.slug],
    }


class TestInterventionPages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case("list", url=lambda w: build(w) and reverse("interventions:list"), allowed=TEAM, contains=TITLE),
        Case(
            "list filtered",
            url=lambda w: (
                build(w) and reverse("interventions:list") + "?area=WK045301&status=idee&q=voordeur"
            ),
            allowed=TEAM,
            contains=TITLE,
        ),
        Case("detail", url=_url("interventions:detail", "intervention"), allowed=TEAM),
        Case(
            "create page",
            url=lambda w: reverse("interventions:create") + f"?team={build(w).team.pk}",
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "create",
            method="post",
            url=lambda w: reverse("interventions:create") + f"?team={build(w).team.pk}",
            data=_intervention_form,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case("edit page", url=_url("interventions:edit", "intervention"), allowed=EDITORS, visible=READERS),
        Case(
            "edit",
            method="post",
            url=_url("interventions:edit", "intervention"),
            data=_intervention_form,
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "status page", url=_url("interventions:status", "intervention"), allowed=EDITORS, visible=READERS
        ),
        Case(
            "status change",
            method="post",
            url=_url("interventions:status", "intervention"),
            data=lambda w: {"status": "gepland", "reason": "", "version": build(w).intervention.version},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "add progress",
            method="post",
            url=_url("interventions:detail", "intervention"),
            data={"date": "2025-05-01", "text": "Tweede ronde.", "progress": "40"},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "delete page",
            url=_url("interventions:delete", "intervention"),
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "delete",
            method="post",
            url=_url("interventions:delete", "intervention"),
            allowed={"org_admin"},
            visible=TEAM - {"org_admin"},
        ),
        Case("attachment download", url=_url("interventions:attachment", "attachment"), allowed=TEAM),
        Case(
            "export csv",
            url=lambda w: build(w) and reverse("interventions:export", args=["csv"]),
            allowed=TEAM,
            contains=TITLE,
        ),
        Case(
            "export xlsx",
            url=lambda w: build(w) and reverse("interventions:export", args=["xlsx"]),
            allowed=SIGNED_IN,
        ),
        Case("import page", url=lambda w: reverse("interventions:import"), allowed=SIGNED_IN),
        Case(
            "import template",
            url=lambda w: reverse("interventions:import-template", args=["xlsx"]),
            allowed=SIGNED_IN,
        ),
        Case(
            "map",
            url=lambda w: build(w) and reverse("interventions:map") + "?gemeente=GM0453&year=2022",
            allowed=TEAM,
            contains=lambda w: reverse("interventions:team", args=[build(w).team.pk]),
        ),
        Case(
            "import job",
            url=lambda w: reverse("interventions:import-detail", args=[w.job.pk]),
            setup=with_import_job,
            allowed={"corp_editor"},
        ),
        Case(
            "import job progress",
            url=lambda w: reverse("interventions:import-status", args=[w.job.pk]),
            setup=with_import_job,
            allowed={"corp_editor"},
        ),
        Case("preferences page", url=lambda w: reverse("interventions:preferences"), allowed=SIGNED_IN),
        Case(
            "preferences",
            method="post",
            url=lambda w: reverse("interventions:preferences"),
            data={"mode": "dagelijks"},
            allowed=SIGNED_IN,
        ),
    ]


class TestTeamPages(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "team list",
            url=lambda w: build(w) and reverse("interventions:teams"),
            allowed=TEAM,
            contains="Gebiedsteam IJmuiden-Noord",
        ),
        Case("team page", url=_url("interventions:team", "team"), allowed=TEAM),
        Case("team history", url=_url("interventions:team-history", "team"), allowed=TEAM),
        Case("team members", url=_url("interventions:team-members", "team"), allowed=TEAM),
        Case(
            "team create page",
            url=lambda w: reverse("interventions:team-create"),
            allowed={"org_admin", "outsider"},
            visible=SIGNED_IN - {"org_admin", "outsider"},
        ),
        Case(
            "team edit page", url=_url("interventions:team-edit", "team"), allowed={"org_admin"}, visible=TEAM
        ),
        Case(
            "team edit",
            method="post",
            url=_url("interventions:team-edit", "team"),
            data=lambda w: {
                "name": "Team IJmuiden-Noord",
                "description": "",
                "version": build(w).team.version,
            },
            allowed={"org_admin"},
            visible=TEAM,
        ),
        Case(
            "team member add",
            method="post",
            url=_url("interventions:team-members", "team"),
            data=lambda w: {"organisation": build(w).politie.pk, "role": "meelezer"},
            allowed={"org_admin"},
            visible=TEAM,
        ),
        Case(
            "team member role",
            method="post",
            url=_url("interventions:team-member-role", "gemeente_member"),
            data=lambda w: {"role": "meelezer", "version": build(w).gemeente_member.version},
            allowed={"org_admin"},
            visible=TEAM,
        ),
        Case(
            "team member remove page",
            url=_url("interventions:team-member-remove", "gemeente_member"),
            allowed={"org_admin"},
            visible=TEAM,
        ),
        Case("urgency page", url=_url("interventions:urgency", "team"), allowed=EDITORS, visible=READERS),
        Case(
            "urgency record",
            method="post",
            url=_url("interventions:urgency", "team"),
            data={"year": "2024", "urgency": "hoog", "rationale": "Overlast stijgt."},
            allowed=EDITORS,
            visible=READERS,
        ),
    ]


class TestApi(AccessMatrix):
    world_setup = staticmethod(build)
    cases = [
        Case(
            "api interventions",
            api=True,
            url=lambda w: build(w) and reverse("intervention-list"),
            allowed=TEAM,
            contains=TITLE,
        ),
        Case(
            "api interventions filtered",
            api=True,
            url=lambda w: build(w) and reverse("intervention-list") + "?theme=leefbaarheid&area=BU04530100",
            allowed=TEAM,
            contains=TITLE,
        ),
        Case("api intervention", api=True, url=_url("intervention-detail", "intervention"), allowed=TEAM),
        Case(
            "api intervention create",
            api=True,
            method="post",
            url=lambda w: reverse("intervention-list"),
            data=_api_intervention,
            allowed=EDITORS,
            visible=READERS,
            hidden_status=400,
        ),
        Case(
            "api intervention change",
            api=True,
            method="patch",
            url=_url("intervention-detail", "intervention"),
            data=lambda w: {"title": "Nieuwe titel", "version": build(w).intervention.version},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "api intervention status",
            api=True,
            method="post",
            url=_url("intervention-change-status", "intervention"),
            data=lambda w: {"status": "gepland", "version": build(w).intervention.version},
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "api intervention delete",
            api=True,
            method="delete",
            url=_url("intervention-detail", "intervention"),
            allowed={"org_admin"},
            visible=TEAM - {"org_admin"},
        ),
        Case(
            "api teams",
            api=True,
            url=lambda w: build(w) and reverse("team-list"),
            allowed=TEAM,
            contains="Gebiedsteam IJmuiden-Noord",
        ),
        Case("api team", api=True, url=_url("team-detail", "team"), allowed=TEAM),
        Case(
            "api team change",
            api=True,
            method="patch",
            url=_url("team-detail", "team"),
            data=lambda w: {"description": "Nieuw", "version": build(w).team.version},
            allowed={"org_admin"},
            visible=TEAM,
        ),
        Case(
            "api team members",
            api=True,
            url=lambda w: build(w) and reverse("team-member-list"),
            allowed=TEAM,
            contains="huurdersvereniging-velsen",
        ),
        Case(
            "api team member add",
            api=True,
            method="post",
            url=lambda w: reverse("team-member-list"),
            data=lambda w: {"team": build(w).team.pk, "organisation": w.politie.slug, "role": "meelezer"},
            allowed={"org_admin"},
            visible=TEAM,
            hidden_status=400,
        ),
        Case(
            "api team member role",
            api=True,
            method="patch",
            url=_url("team-member-detail", "gemeente_member"),
            data=lambda w: {"role": "meelezer", "version": build(w).gemeente_member.version},
            allowed={"org_admin"},
            visible=TEAM,
        ),
        Case(
            "api urgency list",
            api=True,
            url=lambda w: build(w) and reverse("urgency-assessment-list"),
            allowed=SIGNED_IN,
        ),
        Case(
            "api urgency record",
            api=True,
            method="post",
            url=lambda w: reverse("urgency-assessment-list"),
            data=lambda w: {
                "team": build(w).team.pk,
                "year": 2024,
                "urgency": "hoog",
                "rationale": "Overlast.",
            },
            allowed=EDITORS,
            visible=READERS,
            hidden_status=400,
        ),
        Case(
            "api progress updates",
            api=True,
            url=lambda w: build(w) and reverse("progress-update-list"),
            allowed=TEAM,
            contains=UPDATE_TEXT,
        ),
        Case("api progress update", api=True, url=_url("progress-update-detail", "update"), allowed=TEAM),
        Case("api attachment", api=True, url=_url("attachment-detail", "attachment"), allowed=TEAM),
        Case(
            "api urgency",
            api=True,
            url=lambda w: reverse("urgency-assessment-detail", args=[w.urgency.pk]),
            setup=with_urgency,
            allowed=TEAM,
        ),
        Case(
            "api progress add",
            api=True,
            method="post",
            url=lambda w: reverse("progress-update-list"),
            data=lambda w: {
                "intervention": build(w).intervention.pk,
                "date": "2025-05-01",
                "text": "Verder.",
            },
            allowed=EDITORS,
            visible=READERS,
        ),
        Case(
            "api attachments",
            api=True,
            url=lambda w: build(w) and reverse("attachment-list"),
            allowed=TEAM,
            contains="verslag.pdf",
        ),
        Case(
            "api attachment download", api=True, url=_url("attachment-download", "attachment"), allowed=TEAM
        ),
        Case(
            "api attachments add",
            api=True,
            method="post",
            url=_url("progress-update-add-attachments", "update"),
            data=lambda w: {
                "files": SimpleUploadedFile(
                    "foto.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, content_type="image/png"
                )
            },
            content_type=MULTIPART,
            allowed=EDITORS,
            visible=READERS,
            allowed_status=201,
        ),
    ]
