"""The write helpers every service uses: version checks, versioned saves, and the mapping
of service errors to API answers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.exceptions import NotFound

from core.api.exceptions import exception_handler
from core.exceptions import ConflictError
from core.services import changed_fields, check_version, save_versioned
from organisations.models import Membership, Organisation, Role
from tests.factories import membership_of


class TestCheckVersion:
    def test_current_version_passes(self, world):
        check_version(world.corporatie, 1)
        check_version(world.corporatie, "1")  # straight from a form or query string

    def test_missing_version_is_a_conflict(self, world):
        with pytest.raises(ConflictError) as excinfo:
            check_version(world.corporatie, None)
        assert "ontbreekt" in excinfo.value.message
        assert excinfo.value.current == world.corporatie

    @pytest.mark.parametrize("version", [0, 2, "7"])
    def test_other_version_is_a_conflict_with_the_current_object(self, world, version):
        with pytest.raises(ConflictError) as excinfo:
            check_version(world.corporatie, version)
        assert excinfo.value.message.startswith("Iemand anders heeft dit intussen gewijzigd")
        assert "voer uw wijziging opnieuw in" in excinfo.value.message
        assert excinfo.value.current is world.corporatie
        assert str(excinfo.value) == excinfo.value.message


class TestSaveVersioned:
    def test_new_object_starts_at_version_one_and_records_the_actor(self, world):
        newcomer = type(world.corp_editor).objects.create_user("nieuw@example.nl", "x")
        membership = save_versioned(
            Membership(user=newcomer, organisation=world.partner, role=Role.LEZER), actor=world.outsider
        )
        assert membership.pk and membership.version == 1
        record = membership.history.latest()
        assert record.history_user == world.outsider
        assert record.history_type == "+"

    def test_existing_object_goes_up_one_version_with_reason(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        membership.role = Role.LEZER
        save_versioned(membership, actor=world.org_admin, reason="proef")
        membership.refresh_from_db()
        assert membership.version == 2
        record = membership.history.latest()
        assert (record.history_user, record.history_change_reason) == (world.org_admin, "proef")

    def test_invalid_object_is_not_saved(self, world):
        organisation = world.corporatie
        organisation.gemeente_code = "Velsen"
        organisation.kind = "bank"
        with pytest.raises(ValidationError) as excinfo:
            save_versioned(organisation, actor=world.platform_admin)
        assert {"gemeente_code", "kind"} <= set(excinfo.value.message_dict)
        stored = Organisation.objects.get(pk=organisation.pk)
        assert (stored.gemeente_code, stored.kind, stored.version) == ("GM0453", "corporatie", 1)
        assert Organisation.history.filter(id=organisation.pk).count() == 1


def test_changed_fields_sets_and_names_only_real_changes(world):
    organisation = world.corporatie
    changed = changed_fields(
        organisation, {"name": organisation.name, "description": "Nieuw", "website": "https://x.nl"}
    )
    assert changed == ["description", "website"]
    assert organisation.description == "Nieuw"
    assert changed_fields(organisation, {"description": "Nieuw"}) == []


class TestApiExceptionHandler:
    def test_conflict_is_409_with_the_dutch_message(self):
        response = exception_handler(ConflictError("Iemand anders was eerder."), {})
        assert response.status_code == 409
        assert response.data == {"detail": "Iemand anders was eerder.", "code": "conflict"}

    def test_field_validation_error_is_400_per_field(self):
        response = exception_handler(ValidationError({"name": "Die naam bestaat al."}), {})
        assert response.status_code == 400
        assert response.data == {"name": ["Die naam bestaat al."]}

    def test_plain_validation_error_is_400_non_field(self):
        response = exception_handler(ValidationError("Dit is de laatste beheerder."), {})
        assert response.status_code == 400
        assert response.data == {"non_field_errors": ["Dit is de laatste beheerder."]}

    def test_permission_denied_keeps_its_dutch_message(self):
        response = exception_handler(PermissionDenied("Alleen beheerders."), {})
        assert response.status_code == 403
        assert response.data == {"detail": "Alleen beheerders.", "code": "permission_denied"}

    def test_permission_denied_without_message_uses_the_default(self):
        response = exception_handler(PermissionDenied(), {})
        assert response.status_code == 403
        assert response.data["detail"]

    def test_other_api_errors_pass_through(self):
        response = exception_handler(NotFound(), {})
        assert response.status_code == 404
        assert exception_handler(RuntimeError("boom"), {}) is None


def test_a_stale_edit_shows_the_current_data_only_to_whom_may_see_it(world):
    """The current object beside a refused edit is read through restrict(): a person
    never sees through a conflict what they may not see otherwise."""
    from django.test import RequestFactory

    from core.models import Notification
    from core.views import ConflictMixin

    note = Notification.objects.create(recipient=world.corp_editor, kind="test", text="Alleen voor Carla")
    page = ConflictMixin()
    page.request = RequestFactory().get("/")
    page.request.user = world.corp_editor
    assert page.conflict_current(note) == note
    page.request.user = world.gemeente_reviewer
    assert page.conflict_current(note) is None
    page.request.user = world.platform_admin  # notifications are personal, admins included
    assert page.conflict_current(note) is None
