"""The permission machinery: ``restrict()``, object shares, ``get_object_for`` and
``ensure_in_scope``. Organisations and memberships stand in for every access-controlled
model, since they carry a real domain rule (``access_q``)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from guardian.shortcuts import assign_perm

from core.permissions import (
    allowed,
    ensure_in_scope,
    get_object_for,
    is_platform_admin,
    remembered_shared_ids,
    require,
    rules_remembered,
)
from organisations import services
from organisations.models import Membership, Organisation, Role
from tests import factories
from tests.factories import membership_of


def _names(queryset):
    return set(queryset.values_list("name", flat=True))


def _inactive_organisation(world, name="Slapende Stichting"):
    organisation = factories.organisation(actor=world.platform_admin, name=name)
    Organisation.objects.filter(pk=organisation.pk).update(is_active=False)
    organisation.refresh_from_db()
    return organisation


class TestRestrictBasics:
    def test_anonymous_user_gets_nothing(self, world):
        for action in ("view", "change", "delete"):
            assert not Organisation.objects.restrict(AnonymousUser(), action).exists()
            assert not Membership.objects.restrict(AnonymousUser(), action).exists()
        assert not Organisation.objects.restrict(None, "view").exists()

    def test_inactive_user_gets_nothing_even_with_a_role_and_a_share(self, world):
        user = world.org_admin
        assign_perm("change_organisation", user, world.gemeente)
        assert Organisation.objects.restrict(user, "change").exists()
        user.is_active = False
        user.save()
        for action in ("view", "change", "manage", "members"):
            assert not Organisation.objects.restrict(user, action).exists(), action
        assert not Membership.objects.restrict(user, "view").exists()

    def test_inactive_platform_admin_gets_nothing(self, world):
        admin = world.platform_admin
        admin.is_active = False
        admin.save()
        assert not is_platform_admin(admin)
        assert not Organisation.objects.restrict(admin, "view").exists()

    def test_platform_admin_gets_everything_for_every_action(self, world):
        hidden = _inactive_organisation(world)
        everything = set(Organisation.objects.values_list("pk", flat=True))
        assert hidden.pk in everything
        for action in ("view", "change", "delete", "members", "manage"):
            got = set(
                Organisation.objects.restrict(world.platform_admin, action).values_list("pk", flat=True)
            )
            assert got == everything, action
        assert (
            Membership.objects.restrict(world.platform_admin, "delete").count() == Membership.objects.count()
        )

    def test_superuser_counts_as_platform_admin(self, world):
        root = factories.UserFactory(is_superuser=True)
        assert is_platform_admin(root)
        assert Membership.objects.restrict(root, "change").count() == Membership.objects.count()

    def test_unknown_action_is_a_programming_error(self, world):
        with pytest.raises(ValueError):
            Organisation.objects.restrict(world.corp_editor, "publish")
        with pytest.raises(ValueError):
            # "manage" is an extra action of organisations, not of memberships.
            Membership.objects.restrict(world.corp_editor, "manage")

    def test_domain_rule_roles(self, world):
        corp = world.corporatie.name
        # Every signed-in user reads the directory of active organisations.
        assert _names(Organisation.objects.restrict(world.partner_reader, "view")) == set(
            Organisation.objects.filter(is_active=True).values_list("name", flat=True)
        )
        # Only beheerders change or manage their organisation; bewerkers and lezers do not.
        assert _names(Organisation.objects.restrict(world.org_admin, "change")) == {corp}
        assert _names(Organisation.objects.restrict(world.org_admin, "manage")) == {corp}
        assert not Organisation.objects.restrict(world.corp_editor, "change").exists()
        assert _names(Organisation.objects.restrict(world.corp_editor, "members")) == {corp}
        # Colleagues see each other's memberships, nobody else's.
        emails = set(
            Membership.objects.restrict(world.corp_editor, "view").values_list("user__email", flat=True)
        )
        assert emails == {world.corp_editor.email, world.org_admin.email}
        assert not Membership.objects.restrict(world.corp_editor, "change").exists()

    def test_inactive_organisation_is_visible_to_its_members_only(self, world):
        hidden = _inactive_organisation(world)
        factories.member(hidden, role=Role.LEZER, user=world.partner_reader)
        assert hidden in Organisation.objects.restrict(world.partner_reader, "view")
        assert hidden not in Organisation.objects.restrict(world.corp_editor, "view")

    def test_restrict_is_one_query(self, world, django_assert_num_queries):
        assign_perm("change_organisation", world.partner_reader, world.gemeente)
        with django_assert_num_queries(1):
            list(Organisation.objects.restrict(world.partner_reader, "change"))

    def test_users_see_only_themselves(self, world):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        assert list(User.objects.restrict(world.corp_editor, "view")) == [world.corp_editor]
        assert User.objects.restrict(world.platform_admin, "view").count() == User.objects.count()


class TestObjectShares:
    def test_user_grant_opens_exactly_that_object_for_that_action(self, world):
        reader = world.partner_reader
        assert not Organisation.objects.restrict(reader, "change").exists()
        assign_perm("change_organisation", reader, world.gemeente)

        assert list(Organisation.objects.restrict(reader, "change")) == [world.gemeente]
        assert allowed(reader, "change", world.gemeente)
        assert not allowed(reader, "change", world.corporatie)
        # The grant is for "change" only: no delete, no managing people.
        assert not allowed(reader, "delete", world.gemeente)
        assert not allowed(reader, "manage", world.gemeente)
        # Nobody else gains anything from it.
        assert not allowed(world.tenant_rep, "change", world.gemeente)

    def test_user_grant_on_a_membership(self, world):
        target = membership_of(world.corp_editor, world.corporatie)
        assert target not in Membership.objects.restrict(world.outsider, "view")
        assign_perm("view_membership", world.outsider, target)
        visible = Membership.objects.restrict(world.outsider, "view").filter(organisation=world.corporatie)
        assert list(visible) == [target]
        assert not allowed(world.outsider, "change", target)

    def test_view_share_with_organisation_reaches_every_member(self, world):
        target = membership_of(world.corp_editor, world.corporatie)
        partner_editor = factories.member(world.partner, role=Role.BEWERKER)
        partner_admin = factories.member(world.partner, role=Role.BEHEERDER)
        services.object_share(actor=world.org_admin, obj=target, action="view", organisation=world.partner)

        for person in (world.partner_reader, partner_editor, partner_admin):
            assert allowed(person, "view", target), person
            assert not allowed(person, "change", target), person
        # Other organisations do not see it.
        assert not allowed(world.tenant_rep, "view", target)
        assert not allowed(world.outsider, "view", target)

    def test_change_share_with_organisation_reaches_bewerkers_and_beheerders_only(self, world):
        partner_editor = factories.member(world.partner, role=Role.BEWERKER)
        partner_admin = factories.member(world.partner, role=Role.BEHEERDER)
        services.object_share(
            actor=world.platform_admin, obj=world.gemeente, action="change", organisation=world.partner
        )
        assert allowed(partner_editor, "change", world.gemeente)
        assert allowed(partner_admin, "change", world.gemeente)
        assert not allowed(world.partner_reader, "change", world.gemeente)
        assert list(Organisation.objects.restrict(partner_editor, "change")) == [world.gemeente]

    def test_share_follows_the_role(self, world):
        services.object_share(
            actor=world.platform_admin, obj=world.gemeente, action="change", organisation=world.partner
        )
        reader = world.partner_reader
        membership = membership_of(reader, world.partner)
        services.membership_change_role(
            actor=world.platform_admin, membership=membership, role=Role.BEWERKER, version=membership.version
        )
        assert allowed(reader, "change", world.gemeente)
        membership.refresh_from_db()
        services.membership_change_role(
            actor=world.platform_admin, membership=membership, role=Role.LEZER, version=membership.version
        )
        assert not allowed(reader, "change", world.gemeente)

    def test_unshare_closes_it_again(self, world):
        target = membership_of(world.corp_editor, world.corporatie)
        services.object_share(actor=world.org_admin, obj=target, action="view", organisation=world.partner)
        services.object_share(actor=world.org_admin, obj=target, action="view", user=world.outsider)
        assert allowed(world.partner_reader, "view", target)
        assert allowed(world.outsider, "view", target)
        services.object_unshare(actor=world.org_admin, obj=target, action="view", organisation=world.partner)
        services.object_unshare(actor=world.org_admin, obj=target, action="view", user=world.outsider)
        assert not allowed(world.partner_reader, "view", target)
        assert not allowed(world.outsider, "view", target)

    def test_only_someone_who_may_change_can_share(self, world):
        target = membership_of(world.corp_editor, world.corporatie)
        with pytest.raises(PermissionDenied):
            services.object_share(actor=world.corp_editor, obj=target, action="view", user=world.outsider)
        assert not allowed(world.outsider, "view", target)

    def test_share_needs_exactly_one_recipient(self, world):
        from django.core.exceptions import ValidationError

        target = membership_of(world.corp_editor, world.corporatie)
        with pytest.raises(ValidationError):
            services.object_share(actor=world.org_admin, obj=target, action="view")
        with pytest.raises(ValidationError):
            services.object_share(
                actor=world.org_admin,
                obj=target,
                action="view",
                user=world.outsider,
                organisation=world.partner,
            )


class TestGlobalPermissionsOpenNothing:
    def test_model_wide_user_permission_opens_no_object(self, world):
        reader = world.partner_reader
        for codename in ("change_organisation", "delete_organisation", "manage_organisation"):
            reader.user_permissions.add(Permission.objects.get(codename=codename))
        reader.user_permissions.add(Permission.objects.get(codename="view_membership"))
        reader.user_permissions.add(Permission.objects.get(codename="change_membership"))
        # Django itself sees the model-wide permission...
        reader = type(reader).objects.get(pk=reader.pk)
        assert reader.has_perm("organisations.change_organisation")

        # ...but no object opens through it.
        assert not Organisation.objects.restrict(reader, "change").exists()
        assert not Organisation.objects.restrict(reader, "delete").exists()
        assert not Organisation.objects.restrict(reader, "manage").exists()
        assert set(Membership.objects.restrict(reader, "view")) == set(
            Membership.objects.filter(organisation=world.partner)
        )
        assert not Membership.objects.restrict(reader, "change").exists()
        with pytest.raises(PermissionDenied):
            get_object_for(reader, Organisation.objects.all(), "change", pk=world.gemeente.pk)

    def test_model_wide_group_permission_opens_no_object(self, world):
        # A model-wide permission on the organisation's own group must not leak either.
        world.partner.editors_group.permissions.add(Permission.objects.get(codename="change_organisation"))
        world.partner.members_group.permissions.add(Permission.objects.get(codename="view_membership"))
        editor = factories.member(world.partner, role=Role.BEWERKER)
        assert not Organisation.objects.restrict(editor, "change").exists()
        assert set(Membership.objects.restrict(world.partner_reader, "view")) == set(
            Membership.objects.filter(organisation=world.partner)
        )


class TestGetObjectFor:
    def test_not_visible_is_404(self, world):
        target = membership_of(world.corp_editor, world.corporatie)
        with pytest.raises(Http404):
            get_object_for(world.outsider, Membership.objects.all(), pk=target.pk)
        with pytest.raises(Http404):
            # Also for a write: existence is not revealed.
            get_object_for(world.outsider, Membership.objects.all(), "change", pk=target.pk)
        with pytest.raises(Http404):
            get_object_for(AnonymousUser(), Organisation.objects.all(), slug=world.corporatie.slug)
        with pytest.raises(Http404):
            get_object_for(world.org_admin, Organisation.objects.all(), slug="bestaat-niet")

    def test_visible_but_not_allowed_is_403(self, world):
        with pytest.raises(PermissionDenied) as excinfo:
            get_object_for(
                world.corp_editor, Organisation.objects.all(), "change", slug=world.corporatie.slug
            )
        assert "niet wijzigen" in str(excinfo.value)
        target = membership_of(world.corp_editor, world.corporatie)
        with pytest.raises(PermissionDenied):
            get_object_for(world.corp_editor, Membership.objects.all(), "delete", pk=target.pk)

    def test_allowed_returns_the_object(self, world):
        got = get_object_for(world.org_admin, Organisation.objects, "change", slug=world.corporatie.slug)
        assert got == world.corporatie
        got = get_object_for(world.partner_reader, Organisation.objects.all(), slug=world.corporatie.slug)
        assert got == world.corporatie

    def test_visible_as_decides_between_404_and_403(self, world):
        # The people of an organisation are not visible to outsiders at all: 404.
        with pytest.raises(Http404):
            get_object_for(
                world.outsider,
                Organisation.objects.all(),
                "members",
                visible_as="members",
                slug=world.corporatie.slug,
            )
        # A colleague without manage rights sees them, but may not manage: 403.
        with pytest.raises(PermissionDenied):
            get_object_for(
                world.corp_editor,
                Organisation.objects.all(),
                "manage",
                visible_as="members",
                slug=world.corporatie.slug,
            )

    def test_require_uses_the_given_dutch_message(self, world):
        with pytest.raises(PermissionDenied, match="Alleen beheerders"):
            require(world.corp_editor, "change", world.corporatie, "Alleen beheerders mogen dit.")
        with pytest.raises(PermissionDenied, match="geen recht"):
            require(world.corp_editor, "change", world.corporatie)
        require(world.org_admin, "change", world.corporatie)  # no error


class TestEnsureInScope:
    def test_moving_an_object_out_of_reach_is_rolled_back(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)

        with pytest.raises(PermissionDenied, match="buiten uw eigen bereik"), transaction.atomic():
            moved = Membership.objects.select_for_update().get(pk=membership.pk)
            moved.organisation = world.other_gemeente
            moved.role = Role.BEHEERDER
            moved.save()
            ensure_in_scope(world.org_admin, moved)

        membership.refresh_from_db()
        assert membership.organisation == world.corporatie
        assert membership.role == Role.BEWERKER

    def test_object_within_reach_passes(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        with transaction.atomic():
            membership.role = Role.LEZER
            membership.save()
            ensure_in_scope(world.org_admin, membership)
        membership.refresh_from_db()
        assert membership.role == Role.LEZER

    def test_service_rolls_back_when_a_beheerder_would_lose_reach(self, world, monkeypatch):
        """organisation_update checks scope after saving; a failing check undoes the save."""
        from organisations import services as organisation_services

        def out_of_reach(user, obj, action="change"):
            raise PermissionDenied("buiten bereik")

        monkeypatch.setattr(organisation_services, "ensure_in_scope", out_of_reach)
        organisation = world.corporatie
        with pytest.raises(PermissionDenied):
            organisation_services.organisation_update(
                actor=world.org_admin,
                organisation=organisation,
                version=organisation.version,
                description="Mag niet blijven staan",
            )
        organisation.refresh_from_db()
        assert organisation.description == ""
        assert organisation.version == 1


class TestRulesRemembered:
    def test_a_read_builds_each_rule_once_and_gives_the_same_answers(self, world, monkeypatch):
        reader, editor = world.partner_reader, world.corp_editor
        plain = {
            (who, action): sorted(Organisation.objects.restrict(who, action).values_list("pk", flat=True))
            for who in (reader, editor)
            for action in ("view", "change")
        }
        built = []
        rule = Organisation.access_q.__func__
        monkeypatch.setattr(
            Organisation,
            "access_q",
            classmethod(lambda cls, user, action: built.append((user.pk, action)) or rule(cls, user, action)),
        )
        with rules_remembered():
            for (who, action), expected in plain.items():
                for _asked in range(2):
                    got = sorted(Organisation.objects.restrict(who, action).values_list("pk", flat=True))
                    assert got == expected, (who, action)
        # Two people × two actions, each asked twice: four rules built.
        assert sorted(built) == sorted((who.pk, action) for who, action in plain)

    def test_a_read_takes_the_grants_once_as_ids(self, world, django_assert_num_queries):
        reader, target = world.partner_reader, membership_of(world.corp_editor, world.corporatie)
        assign_perm("change_organisation", reader, world.gemeente)  # to the person
        assign_perm("view_membership", world.partner.members_group, target)  # to their organisation
        plain = {
            "organisations": set(Organisation.objects.restrict(reader, "change")),
            "memberships": set(Membership.objects.restrict(reader, "view")),
        }
        with rules_remembered():
            with django_assert_num_queries(2):  # the memberships and the grants, for every rule
                organisations = Organisation.objects.restrict(reader, "change")
                memberships = Membership.objects.restrict(reader, "view")
                nothing = Organisation.objects.restrict(reader, "delete")
            for queryset in (organisations, memberships):
                assert "guardian" not in str(queryset.query)
            assert set(organisations) == plain["organisations"] == {world.gemeente}
            assert set(memberships) == plain["memberships"]
            assert target in plain["memberships"]
            assert not nothing.exists()
            assert remembered_shared_ids(reader, Organisation, "change") == [world.gemeente.pk]
        assert remembered_shared_ids(reader, Organisation, "change") is None  # outside a read

    def test_a_read_takes_the_memberships_once(self, world, django_assert_num_queries):
        from organisations.models import organisation_id_set, organisation_ids_for

        editor = world.corp_editor
        plain = {action: organisation_id_set(editor, action) for action in ("view", "change", "manage")}
        assert plain["view"] == plain["change"] == {world.corporatie.pk} and not plain["manage"]
        with rules_remembered():
            with django_assert_num_queries(1):
                got = {action: organisation_ids_for(editor, action) for action in plain}
            assert got == {action: sorted(ids) for action, ids in plain.items()}
            assert {action: organisation_id_set(editor, action) for action in plain} == plain
            memberships = Membership.objects.restrict(editor, "view")
            assert str(memberships.query).count("SELECT") == 1  # no subquery left
            assert set(memberships) == set(Membership.objects.filter(organisation=world.corporatie))

    def test_a_grant_made_during_a_read_counts_at_once(self, world):
        from organisations.models import organisation_ids_for

        reader = world.partner_reader
        with rules_remembered():
            assert not Organisation.objects.restrict(reader, "change").filter(pk=world.gemeente.pk).exists()
            assert world.gemeente.pk not in organisation_ids_for(reader, "manage")
            # A read writes no rights; should one all the same, the read reads them anew.
            assign_perm("change_organisation", reader, world.gemeente)
            assert Organisation.objects.restrict(reader, "change").filter(pk=world.gemeente.pk).exists()
            Membership.objects.filter(user=reader).first().delete()
            assert organisation_ids_for(reader, "view") == []

    def test_a_block_within_a_read_is_the_same_read(self, world, django_assert_num_queries):
        reader = world.partner_reader
        with rules_remembered():
            list(Membership.objects.restrict(reader, "view"))
            with rules_remembered(), django_assert_num_queries(1):  # the rows only
                list(Membership.objects.restrict(reader, "view"))

    def test_someone_with_many_grants_keeps_the_subqueries(self, world, monkeypatch):
        from core import permissions

        monkeypatch.setattr(permissions, "GRANTS_READ_AT_ONCE", 1)
        reader = world.partner_reader
        assign_perm("change_organisation", reader, world.gemeente)
        assign_perm("change_organisation", reader, world.corporatie)
        with rules_remembered():
            changeable = Organisation.objects.restrict(reader, "change")
            assert "guardian" in str(changeable.query)
            assert set(changeable) == {world.gemeente, world.corporatie}
            assert remembered_shared_ids(reader, Organisation, "change") is None

    def test_nothing_is_remembered_outside_the_block(self, world):
        reader = world.partner_reader
        with rules_remembered():
            assert not Organisation.objects.restrict(reader, "change").exists()
        # A grant after the block counts at once: the rule is built anew.
        assign_perm("change_organisation", reader, world.gemeente)
        assert list(Organisation.objects.restrict(reader, "change")) == [world.gemeente]

    @pytest.mark.parametrize(("method", "builds"), [("get", 1), ("head", 1), ("options", 1), ("post", 2)])
    def test_a_read_request_builds_each_rule_once_and_a_write_anew(
        self, world, rf, monkeypatch, method, builds
    ):
        from core.middleware import ReadRulesMiddleware

        reader = world.partner_reader
        built = []
        rule = Organisation.access_q.__func__
        monkeypatch.setattr(
            Organisation,
            "access_q",
            classmethod(lambda cls, user, action: built.append(action) or rule(cls, user, action)),
        )

        def view(request):
            for _asked in range(2):
                assert list(Organisation.objects.restrict(reader, "change")) == []

        ReadRulesMiddleware(view)(getattr(rf, method)("/"))
        assert built == ["change"] * builds
        assert "core.middleware.ReadRulesMiddleware" in settings.MIDDLEWARE  # and every request has it
        # Nothing is remembered after the request.
        Organisation.objects.restrict(reader, "change")
        assert len(built) == builds + 1
