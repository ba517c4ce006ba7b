"""The agreement pages as people use them: drafting, signing, commitments with stale
edits and disputes, monitoring from draft to approval, the reviewer's dashboard, the bod,
progress and history; and bounded query counts as agreements grow."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import services
from agreements.models import Agreement, Bod, Commitment, MonitoringReport, Theme
from agreements.tests.test_access import REPORT_YEAR, build_agreement_world, with_document
from agreements.tests.test_services import add_commitment, make_agreement, pdf_file, to_negotiation
from organisations.models import Role
from tests import factories


@pytest.fixture
def w(world):
    return build_agreement_world(world)


def _text(response):
    return response.content.decode()


class TestAgreementList:
    def test_filters_and_empty_state(self, client, world):
        make_agreement(world)
        client.force_login(world.corp_editor)
        url = reverse("agreements:list")
        assert "Prestatieafspraken Velsen 2025–2028" in _text(client.get(url))
        assert "Prestatieafspraken Velsen" in _text(
            client.get(url, {"gemeente": "gm0453", "status": "concept"})
        )
        empty = _text(client.get(url, {"jaar": "2031"}))
        assert "Geen prestatieafspraken gevonden met deze filters." in empty
        client.force_login(world.outsider)
        assert "U bent nog bij geen prestatieafspraak betrokken" in _text(client.get(url))

    def test_disputes_counted_in_the_list(self, client, w):
        client.force_login(w.partner_reader)
        assert "1 in geschil" in _text(client.get(reverse("agreements:list")))

    def test_queries_do_not_grow_with_agreements(self, client, world, django_assert_max_num_queries):
        for i in range(8):
            make_agreement(world, title=f"Afspraak {i}")
        client.force_login(world.gemeente_reviewer)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("agreements:list"))
        assert _text(response).count("/afspraken/") >= 8

    def test_nav_item(self, client, world):
        client.force_login(world.tenant_rep)
        response = client.get(reverse("agreements:list"))
        assert 'aria-current="page">Prestatieafspraken</a>' in _text(response)


class TestDrafting:
    def test_beheerder_drafts_with_parties(self, client, world):
        client.force_login(world.org_admin)
        response = client.post(
            reverse("agreements:create"),
            {
                "title": "Samen wonen in Velsen",
                "start_year": 2026,
                "end_year": 2029,
                "summary": "",
                "gemeente": world.gemeente.pk,
                "corporations": [world.corporatie.pk],
                "tenants": [world.huurders.pk],
            },
        )
        agreement = Agreement.objects.get(title="Samen wonen in Velsen")
        assert response.status_code == 302
        assert response["Location"] == reverse("agreements:detail", args=[agreement.pk])
        assert agreement.parties.count() == 3
        # The agreement is of the gemeente chosen as party: nobody types its code.
        assert agreement.gemeente_code == "GM0453"

    def test_gemeente_beheerder_names_only_the_own_gemeente(self, client, world):
        beheerder = factories.member(world.gemeente, role=Role.BEHEERDER)
        client.force_login(beheerder)
        form = client.get(reverse("agreements:create")).context["form"]
        assert list(form.fields["gemeente"].queryset) == [world.gemeente]
        assert "gemeente_code" not in form.fields
        response = client.post(
            reverse("agreements:create"),
            {
                "title": "Verkeerd",
                "start_year": 2026,
                "end_year": 2029,
                "gemeente": world.other_gemeente.pk,
                "corporations": [world.corporatie.pk],
                "tenants": [world.huurders.pk],
            },
        )
        assert response.status_code == 200
        assert "Selecteer een geldige keuze" in _text(response)
        assert not Agreement.objects.exists()

    def test_corporation_beheerder_chooses_among_all_gemeenten_by_name(self, client, world):
        client.force_login(world.org_admin)
        page = _text(client.get(reverse("agreements:create")))
        assert f'<option value="{world.gemeente.pk}">Gemeente Velsen</option>' in page
        assert f'<option value="{world.other_gemeente.pk}">Gemeente Haarlem</option>' in page
        assert 'name="gemeente_code"' not in page

    def test_stale_edit_shows_conflict_and_keeps_input(self, client, world):
        agreement = make_agreement(world)
        services.agreement_update(
            actor=world.gemeente_reviewer,
            agreement=agreement,
            version=agreement.version,
            summary="Van de gemeente",
        )
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("agreements:edit", args=[agreement.pk]),
            {
                "title": agreement.title,
                "start_year": 2025,
                "end_year": 2028,
                "summary": "Mijn eigen tekst",
                "version": agreement.version,  # the version before the gemeente's save
            },
        )
        assert response.status_code == 409
        text = _text(response)
        assert "Iemand anders heeft dit intussen gewijzigd" in text
        assert "Van de gemeente" in text
        assert "Mijn eigen tekst" in text
        agreement.refresh_from_db()
        assert agreement.summary == "Van de gemeente"


class TestAgreementPage:
    def test_disputed_commitments_stand_out_on_top(self, client, w):
        with_document(w)
        client.force_login(w.tenant_rep)
        text = _text(client.get(reverse("agreements:detail", args=[w.agreement.pk])))
        assert "1 afspraak in geschil" in text
        assert text.index("1 afspraak in geschil") < text.index("Partijen en ondertekening")
        assert "utrecht-status-badge--warning" in text
        assert "wk-disputed" in text
        # Monitoring badges per year (the submitted report waits for review), and the
        # signed document for download.
        assert '<span class="utrecht-status-badge wk-badge--waiting">ter beoordeling</span>' in text
        assert reverse("agreements:document", args=[w.agreement.pk]) in text

    def test_sign_for_own_party(self, client, world):
        agreement = make_agreement(world, with_partner=False)
        to_negotiation(world, agreement)
        client.force_login(world.tenant_rep)
        page = _text(client.get(reverse("agreements:detail", args=[agreement.pk])))
        assert f"Onderteken namens {world.huurders.name}" in page
        assert f"Onderteken namens {world.gemeente.name}" not in page
        party = agreement.parties.get(organisation=world.huurders)
        response = client.post(reverse("agreements:sign", args=[agreement.pk, party.pk]), follow=True)
        assert f"U heeft ondertekend namens {world.huurders.name}." in _text(response)
        party.refresh_from_db()
        assert party.signed_by == world.tenant_rep
        # Signing twice: a Dutch message, no second signature.
        again = client.post(reverse("agreements:sign", args=[agreement.pk, party.pk]), follow=True)
        assert "al getekend" in _text(again)

    def test_cannot_sign_for_another_party(self, client, world):
        agreement = make_agreement(world, with_partner=False)
        to_negotiation(world, agreement)
        client.force_login(world.tenant_rep)
        party = agreement.parties.get(organisation=world.gemeente)
        response = client.post(reverse("agreements:sign", args=[agreement.pk, party.pk]))
        assert response.status_code == 403
        party.refresh_from_db()
        assert party.signed_at is None

    def test_status_step(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.org_admin)
        response = client.post(
            reverse("agreements:transition", args=[agreement.pk]),
            {"status": "onderhandeling", "version": agreement.version},
            follow=True,
        )
        assert "De status is nu: in onderhandeling." in _text(response)

    def test_document_upload_and_download(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("agreements:document", args=[agreement.pk]), {"document": pdf_file()}, follow=True
        )
        assert "Het ondertekende document is toegevoegd." in _text(response)
        download = client.get(reverse("agreements:document", args=[agreement.pk]))
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        bad = client.post(
            reverse("agreements:document", args=[agreement.pk]),
            {"document": SimpleUploadedFile("afspraken.pdf", b"geen pdf")},
            follow=True,
        )
        assert "geen geldige PDF" in _text(bad)

    def test_queries_bounded_as_commitments_grow(self, client, world, django_assert_max_num_queries):
        agreement = make_agreement(world)
        for i in range(30):
            add_commitment(world, agreement, number=f"{i}", theme=list(Theme.values)[i % 6])
        client.force_login(world.corp_editor)
        with django_assert_max_num_queries(25):
            response = client.get(reverse("agreements:detail", args=[agreement.pk]))
        assert response.status_code == 200
        assert "30 afspraken" in _text(response)

    def test_amendment_open_and_close(self, client, w):
        client.force_login(w.gemeente_reviewer)
        url = reverse("agreements:amendment-open", args=[w.agreement.pk])
        response = client.post(url, {"year": 2026, "reason": "Extra nieuwbouw"}, follow=True)
        assert "De wijziging is geopend" in _text(response)
        amendment = w.agreement.amendments.get()
        response = client.post(reverse("agreements:amendment-close", args=[amendment.pk]), follow=True)
        assert "De wijziging is vastgesteld." in _text(response)


class TestCommitmentTablesCache:
    """The commitment tables of an agreement's page are rendered once for everyone who
    may read the agreement, and again after any change to what they show."""

    def _page(self, client, user, agreement):
        client.force_login(user)
        response = client.get(reverse("agreements:detail", args=[agreement.pk]))
        return response.status_code, _text(response)

    def test_built_once_for_every_reader(self, client, w, monkeypatch):
        from agreements import selectors

        loads = []
        real = selectors.agreement_commitments_load
        monkeypatch.setattr(
            selectors, "agreement_commitments_load", lambda **kw: loads.append(1) or real(**kw)
        )
        for user in (w.corp_editor, w.gemeente_reviewer, w.tenant_rep, w.partner_reader):
            status, text = self._page(client, user, w.agreement)
            assert status == 200
            assert "ter beoordeling" in text
        assert len(loads) == 1

    def test_outsider_gets_nothing_from_a_filled_cache(self, client, w):
        status, text = self._page(client, w.tenant_rep, w.agreement)
        assert status == 200 and w.commitment.text in text
        status, text = self._page(client, w.outsider, w.agreement)
        assert status == 404
        assert w.commitment.text not in text

    def test_review_shows_at_once(self, client, w):
        assert "ter beoordeling" in self._page(client, w.tenant_rep, w.agreement)[1]
        services.report_approve(actor=w.gemeente_reviewer, report=w.report)
        text = self._page(client, w.tenant_rep, w.agreement)[1]
        assert "ter beoordeling" not in text
        assert "goedgekeurd" in text

    def test_renamed_responsible_party_shows_at_once(self, client, w):
        from organisations.services import organisation_update

        def tables(text):
            # The commitment tables only: the parties table above names the party too.
            return text[text.index('id="afspraken"') : text.index('id="wijzigingen"')]

        old_name = w.corporatie.name
        assert old_name in tables(self._page(client, w.tenant_rep, w.agreement)[1])
        organisation_update(
            actor=w.org_admin,
            organisation=w.corporatie,
            version=w.corporatie.version,
            name="Woonstichting Kennemerland",
        )
        text = tables(self._page(client, w.tenant_rep, w.agreement)[1])
        assert "Woonstichting Kennemerland" in text
        assert old_name not in text

    def test_commitment_changes_show_at_once(self, client, world):
        agreement = make_agreement(world)
        first = add_commitment(world, agreement, number="1", text="Tweehonderd woningen isoleren")
        add_commitment(world, agreement, number="2", text="Vijftig woningen bouwen")
        assert "2 afspraken" in self._page(client, world.tenant_rep, agreement)[1]
        first = services.commitment_update(
            actor=world.corp_editor,
            commitment=first,
            version=first.version,
            text="Driehonderd woningen isoleren",
        )
        text = self._page(client, world.tenant_rep, agreement)[1]
        assert "Driehonderd woningen isoleren" in text
        assert "Tweehonderd woningen isoleren" not in text
        services.commitment_delete(actor=world.corp_editor, commitment=first)
        text = self._page(client, world.tenant_rep, agreement)[1]
        assert "1 afspraak" in text
        assert "Driehonderd woningen isoleren" not in text
        add_commitment(world, agreement, number="3", text="Tien woningen splitsen")
        assert "Tien woningen splitsen" in self._page(client, world.tenant_rep, agreement)[1]


class TestCommitments:
    def test_add_target_without_unit_is_refused(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("agreements:commitment-create", args=[agreement.pk]),
            {
                "theme": "beschikbaarheid",
                "text": "Nieuwbouw",
                "responsible": world.corporatie.pk,
                "target_value": "100",
                "target_year": 2027,
            },
        )
        assert response.status_code == 200
        assert "Geef de eenheid van de streefwaarde" in _text(response)
        assert not Commitment.objects.exists()

    def test_add_with_areas_of_the_gemeente(self, client, world):
        from areas.models import Area, AreaKind

        wijk = Area.objects.create(
            year=2025, kind=AreaKind.WIJK, code="WK045301", name="IJmuiden-Noord", gemeente_code="GM0453"
        )
        Area.objects.create(
            year=2025, kind=AreaKind.WIJK, code="WK039201", name="Haarlem-Oost", gemeente_code="GM0392"
        )
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        url = reverse("agreements:commitment-create", args=[agreement.pk])
        form = _text(client.get(url))
        assert "IJmuiden-Noord" in form
        assert "Haarlem-Oost" not in form
        response = client.post(
            url,
            {
                "number": "4.1",
                "theme": "leefbaarheid",
                "text": "Buurtbeheerders in IJmuiden-Noord",
                "responsible": world.corporatie.pk,
                "areas": [wijk.pk],
            },
        )
        commitment = Commitment.objects.get(number="4.1")
        assert response["Location"].endswith(f"#afspraak-{commitment.pk}")
        assert list(commitment.areas.all()) == [wijk]
        assert "IJmuiden-Noord" in _text(client.get(reverse("agreements:commitment", args=[commitment.pk])))

    def test_stale_edit_keeps_input(self, client, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        services.commitment_update(
            actor=world.gemeente_reviewer,
            commitment=commitment,
            version=commitment.version,
            text="Versie gemeente",
        )
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("agreements:commitment-edit", args=[commitment.pk]),
            {
                "theme": "beschikbaarheid",
                "text": "Mijn versie van de afspraak",
                "responsible": world.corporatie.pk,
                "target_value": "150",
                "target_unit": "woningen",
                "target_year": 2027,
                "version": commitment.version,
            },
        )
        text = _text(response)
        assert "Iemand anders heeft dit intussen gewijzigd" in text
        assert "Versie gemeente" in text
        assert "Mijn versie van de afspraak" in text

    def test_signed_agreement_is_read_only_outside_an_amendment(self, client, w):
        client.force_login(w.corp_editor)
        c = w.commitment
        response = client.post(
            reverse("agreements:commitment-edit", args=[c.pk]),
            {
                "theme": c.theme,
                "text": "Anders",
                "responsible": c.responsible_id,
                "target_value": "150",
                "target_unit": c.target_unit,
                "target_year": c.target_year,
                "version": c.version,
            },
        )
        assert "alleen via een wijziging" in _text(response)
        c.refresh_from_db()
        assert c.text == "Bouw van sociale huurwoningen"

    def test_delete(self, client, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        client.force_login(world.corp_editor)
        assert client.get(reverse("agreements:commitment-delete", args=[commitment.pk])).status_code == 200
        response = client.post(reverse("agreements:commitment-delete", args=[commitment.pk]))
        assert response.status_code == 302
        assert not Commitment.objects.filter(pk=commitment.pk).exists()

    def test_dispute_and_resolve(self, client, w):
        client.force_login(w.tenant_rep)
        url = reverse("agreements:commitment-dispute", args=[w.commitment.pk])
        response = client.post(url, {"note": "De huurders tellen de woningen anders."}, follow=True)
        assert "als geschil gemarkeerd" in _text(response)
        w.commitment.refresh_from_db()
        assert w.commitment.is_disputed
        assert w.commitment.disputed_by == w.huurders
        response = client.post(reverse("agreements:commitment-resolve", args=[w.commitment.pk]), follow=True)
        assert "Het geschil is opgelost." in _text(response)


class TestMonitoring:
    def test_draft_then_submit_then_approve(self, client, w):
        client.force_login(w.corp_editor)
        url = reverse("agreements:monitoring", args=[w.disputed.pk, REPORT_YEAR + 1])
        assert "Concept opslaan" in _text(client.get(url))
        response = client.post(
            url, {"realised_value": "12", "progress": "risico", "explanation": "Vertraagd"}
        )
        assert response.status_code == 302
        report = MonitoringReport.objects.get(commitment=w.disputed, year=REPORT_YEAR + 1)
        assert report.state == MonitoringReport.State.DRAFT
        response = client.post(
            url,
            {
                "realised_value": "14",
                "progress": "risico",
                "explanation": "Vertraagd door de stikstof",
                "version": report.version,
                "indienen": "1",
            },
        )
        report.refresh_from_db()
        assert report.state == MonitoringReport.State.SUBMITTED
        assert report.realised_value == Decimal("14")

        client.force_login(w.gemeente_reviewer)
        dashboard = _text(client.get(reverse("agreements:reviewer-queue")))
        assert "Vertraagd door de stikstof" in dashboard
        response = client.post(
            reverse("agreements:report-review", args=[report.pk]),
            {"decision": "goedkeuren", "comment": "", "next": "dashboard"},
            follow=True,
        )
        assert "De monitoring is goedgekeurd." in _text(response)
        report.refresh_from_db()
        assert report.state == MonitoringReport.State.APPROVED
        assert report.history.first().history_user == w.gemeente_reviewer

    def test_stale_draft_keeps_input(self, client, w):
        report = services.report_save_draft(
            actor=w.corp_editor, commitment=w.disputed, year=REPORT_YEAR, progress="op_koers"
        )
        services.report_save_draft(
            actor=w.org_admin,
            commitment=w.disputed,
            year=REPORT_YEAR,
            progress="achter",
            explanation="Van de beheerder",
            version=report.version,
        )
        client.force_login(w.corp_editor)
        response = client.post(
            reverse("agreements:monitoring", args=[w.disputed.pk, REPORT_YEAR]),
            {"progress": "risico", "explanation": "Mijn toelichting", "version": report.version},
        )
        text = _text(response)
        assert "Iemand anders heeft dit intussen gewijzigd" in text
        assert "Van de beheerder" in text
        assert "Mijn toelichting" in text

    def test_return_needs_comment_inline_with_htmx(self, client, w):
        client.force_login(w.gemeente_reviewer)
        url = reverse("agreements:report-review", args=[w.report.pk])
        response = client.post(
            url, {"decision": "terugsturen", "comment": ""}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 400
        text = _text(response)
        assert text.lstrip().startswith("<tr")
        assert "Schrijf erbij wat er anders moet" in text
        response = client.post(
            url, {"decision": "terugsturen", "comment": "Graag per complex."}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert "teruggestuurd voor herziening" in _text(response)
        w.report.refresh_from_db()
        assert w.report.review_comment == "Graag per complex."

    def test_tenant_comments(self, client, w):
        client.force_login(w.tenant_rep)
        response = client.post(
            reverse("agreements:report-comment", args=[w.report.pk]), {"text": "Mooi werk"}, follow=True
        )
        assert "Uw opmerking is geplaatst." in _text(response)
        assert "Mooi werk" in _text(client.get(reverse("agreements:commitment", args=[w.commitment.pk])))

    def test_dashboard_queries_do_not_grow(self, client, w, django_assert_max_num_queries):
        agreement = w.agreement
        for year in (2026,):
            for commitment in (w.disputed,):
                r = services.report_save_draft(
                    actor=w.corp_editor, commitment=commitment, year=year, progress="op_koers"
                )
                services.report_submit(actor=w.corp_editor, report=r)
        client.force_login(w.gemeente_reviewer)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("agreements:reviewer-queue"))
        assert _text(response).count('id="rapport-') == 2
        assert agreement.title in _text(response)

    def test_dashboard_empty_state(self, client, world):
        client.force_login(world.gemeente_reviewer)
        assert "Er wacht niets op uw beoordeling." in _text(client.get(reverse("agreements:reviewer-queue")))


class TestBod:
    def test_create_propose_submit_and_adopt(self, client, world):
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("agreements:bod-create"),
            {
                "corporation": world.corporatie.pk,
                "gemeente_code": "GM0453",
                "year": 2027,
                "recipients": [world.gemeente.pk, world.huurders.pk],
                "summary": "Ons bod",
            },
        )
        bod = Bod.objects.get()
        assert response["Location"] == reverse("agreements:bod-detail", args=[bod.pk])
        client.post(
            reverse("agreements:proposal-create", args=[bod.pk]),
            {
                "theme": "kwaliteit",
                "text": "Honderd woningen naar label A",
                "responsible": world.corporatie.pk,
                "target_value": "100",
                "target_unit": "woningen",
                "target_year": 2027,
            },
        )
        proposal = bod.proposals.get()
        response = client.post(reverse("agreements:bod-submit", args=[bod.pk]), follow=True)
        assert "Het bod is ingediend" in _text(response)

        client.force_login(world.gemeente_reviewer)
        page = _text(client.get(reverse("agreements:bod-detail", args=[bod.pk])))
        assert "Overnemen in afspraak" in page
        response = client.post(
            reverse("agreements:proposal-adopt", args=[proposal.pk]), {"agreement": agreement.pk}, follow=True
        )
        assert "Het voorstel is overgenomen" in _text(response)
        assert agreement.commitments.get().adopted_from == proposal


class TestProgressAndHistory:
    def test_progress_chart_with_table(self, client, w):
        client.force_login(w.partner_reader)
        text = _text(client.get(reverse("agreements:progress", args=[w.agreement.pk])))
        assert '<svg class="wk-chart"' in text
        assert 'role="img"' in text
        assert "<table" in text
        assert "Beschikbaarheid en nieuwbouw" in text
        assert "<script" not in text.split("<main", 1)[1].split("</main>", 1)[0]
        # Two commitments of 150 sociale huurwoningen in 2027; 40 reported over 2025 on the
        # first. Per stand: 2025 one op koers, one not reported (2 - 1); later years none
        # reported.
        compact = re.sub(r">\s+<", "><", text)
        cell = '<td class="utrecht-table__cell utrecht-table__cell--numeric">{}</td>'
        # Gerealiseerd, op koers, risico, achter, niet gerapporteerd.
        row_2025 = '<th class="utrecht-table__header-cell" scope="row">2025</th>' + "".join(
            cell.format(n) for n in (0, 1, 0, 0, 1)
        )
        assert row_2025 in compact
        assert (
            "<title>2025: 1 op koers</title>" in text and "<title>2026: 2 niet gerapporteerd</title>" in text
        )
        # Per unit: the targets 150 + 150 = 300 in 2027, 40 realised over 2025, nothing approved.
        unit = compact.split("streefwaarde en realisatie per eenheid", 1)[1]
        assert 'sociale huurwoningen <span class="wk-muted">(2 afspraken)</span>' in unit
        assert "2025</th>" + cell.format("—") + cell.format(40) + cell.format("—") in unit
        assert "2027</th>" + cell.format(300) + cell.format("—") + cell.format("—") in unit
        assert "2026</th>" not in unit  # no target and no report in that year

    def test_history_lists_agreement_commitments_and_monitoring(self, client, w):
        client.force_login(w.tenant_rep)
        text = _text(client.get(reverse("agreements:history", args=[w.agreement.pk])))
        assert "Bouw van sociale huurwoningen" in text
        assert "geschil gemeld" in text
        assert "ingediend" in text
