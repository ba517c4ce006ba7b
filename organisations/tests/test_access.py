from urllib.parse import urlsplit

from django.urls import reverse

from organisations import services
from tests.factories import membership_of
from tests.matrix import AccessMatrix, Case

CORP_MEMBERS = {"corp_editor", "org_admin"}
SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}


def _corp_slug(w):
    return w.corporatie.slug


class TestOrganisationPages(AccessMatrix):
    cases = [
        Case(
            "api token page",
            url=lambda w: reverse("api-token"),
            allowed={
                "corp_editor",
                "org_admin",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
        Case(
            "home",
            url=lambda w: reverse("home"),
            allowed={
                "corp_editor",
                "org_admin",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
        Case(
            "organisation list",
            url=lambda w: reverse("organisations:list"),
            allowed={
                "corp_editor",
                "org_admin",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
        Case(
            "create page",
            url=lambda w: reverse("organisations:create"),
            visible={
                "corp_editor",
                "org_admin",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
        Case(
            "detail",
            url=lambda w: reverse("organisations:detail", args=[_corp_slug(w)]),
            allowed={
                "corp_editor",
                "org_admin",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
        Case(
            "members",
            url=lambda w: reverse("organisations:members", args=[_corp_slug(w)]),
            allowed=CORP_MEMBERS,
        ),
        Case(
            "history",
            url=lambda w: reverse("organisations:history", args=[_corp_slug(w)]),
            allowed=CORP_MEMBERS,
        ),
        Case(
            "edit page",
            url=lambda w: reverse("organisations:edit", args=[_corp_slug(w)]),
            allowed={"org_admin"},
            visible={
                "corp_editor",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
        Case(
            "invite",
            method="post",
            url=lambda w: reverse("organisations:members", args=[_corp_slug(w)]),
            data={"email": "nieuw@example.nl", "role": "lezer"},
            allowed={"org_admin"},
            visible={"corp_editor"},
        ),
        Case(
            "change role",
            method="post",
            url=lambda w: reverse(
                "organisations:membership-role",
                args=[membership_of(w.corp_editor, w.corporatie).pk],
            ),
            data=lambda w: {
                "role": "lezer",
                "version": membership_of(w.corp_editor, w.corporatie).version,
            },
            allowed={"org_admin"},
            visible={"corp_editor"},
        ),
        Case(
            "appoint a beheerder",
            method="post",
            url=lambda w: reverse("organisations:appoint-beheerder", args=[_corp_slug(w)]),
            data={"email": "nieuwe.beheerder@example.nl"},
            visible=SIGNED_IN,
        ),
        # The link in the invitation mail: its token is the key, so it is open to everybody.
        Case(
            "invitation link",
            url=lambda w: urlsplit(services.invitation_url(_invitation(w))).path,
            public=True,
        ),
        Case(
            "resend invitation",
            method="post",
            url=lambda w: reverse("organisations:invitation-action", args=[_invitation(w).pk, "opnieuw"]),
            allowed={"org_admin"},
        ),
        Case(
            "revoke invitation",
            method="post",
            url=lambda w: reverse("organisations:invitation-action", args=[_invitation(w).pk, "intrekken"]),
            allowed={"org_admin"},
        ),
        Case(
            "remove member",
            method="post",
            url=lambda w: reverse(
                "organisations:membership-remove",
                args=[membership_of(w.corp_editor, w.corporatie).pk],
            ),
            allowed={"org_admin"},
            visible={"corp_editor"},
        ),
    ]


def _invitation(w):
    from organisations.models import Invitation

    invitation = Invitation.objects.filter(email="open@example.nl").first()
    return invitation or services.invitation_create(
        actor=w.org_admin, organisation=w.corporatie, email="open@example.nl", role="lezer"
    )


class TestOrganisationApi(AccessMatrix):
    cases = [
        Case(
            "api invitations list",
            api=True,
            url=lambda w: reverse("invitation-list"),
            setup=_invitation,
            contains="open@example.nl",
            allowed={"org_admin"},
        ),
        Case(
            "api invitation create",
            api=True,
            method="post",
            url=lambda w: reverse("invitation-list"),
            data=lambda w: {"organisation": w.corporatie.slug, "email": "nieuw@example.nl", "role": "lezer"},
            allowed={"org_admin"},
            # The organisation is visible to all; only its beheerders may invite.
            visible={"corp_editor", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"},
        ),
        Case(
            "api invitation revoke",
            api=True,
            method="post",
            url=lambda w: reverse("invitation-revoke", args=[_invitation(w).pk]),
            allowed={"org_admin"},
        ),
        Case(
            "api invitation",
            api=True,
            url=lambda w: reverse("invitation-detail", args=[_invitation(w).pk]),
            allowed={"org_admin"},
        ),
        Case(
            "api invitation resend",
            api=True,
            method="post",
            url=lambda w: reverse("invitation-resend", args=[_invitation(w).pk]),
            allowed={"org_admin"},
        ),
        Case(
            "api organisations list",
            api=True,
            url=lambda w: reverse("organisation-list"),
            contains="Woningcorporatie Velserduin",
            allowed=SIGNED_IN,
        ),
        Case(
            "api organisation",
            api=True,
            url=lambda w: reverse("organisation-detail", args=[_corp_slug(w)]),
            allowed=SIGNED_IN,
        ),
        Case(
            "api memberships list",
            api=True,
            url=lambda w: reverse("membership-list"),
            contains=lambda w: w.corp_editor.email,
            allowed=CORP_MEMBERS,
        ),
        Case(
            "api membership detail",
            api=True,
            url=lambda w: reverse("membership-detail", args=[membership_of(w.corp_editor, w.corporatie).pk]),
            allowed=CORP_MEMBERS,
        ),
        Case(
            "api membership change role",
            api=True,
            method="patch",
            url=lambda w: reverse("membership-detail", args=[membership_of(w.corp_editor, w.corporatie).pk]),
            data=lambda w: {
                "role": "lezer",
                "version": membership_of(w.corp_editor, w.corporatie).version,
            },
            allowed={"org_admin"},
            visible={"corp_editor"},
        ),
        Case(
            "api organisation update",
            api=True,
            method="patch",
            url=lambda w: reverse("organisation-detail", args=[_corp_slug(w)]),
            data=lambda w: {"description": "Nieuw", "version": w.corporatie.version},
            allowed={"org_admin"},
            visible={
                "corp_editor",
                "gemeente_reviewer",
                "tenant_rep",
                "partner_reader",
                "outsider",
            },
        ),
    ]
