import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.views import RestrictedModelViewSet, RestrictedViewSetMixin, VersionedUpdateMixin
from core.permissions import get_object_for
from organisations import services
from organisations.api.serializers import (
    InvitationSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    OrganisationSerializer,
)
from organisations.models import Invitation, Membership, Organisation


class OrganisationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Zoek op naam")

    class Meta:
        model = Organisation
        fields = ["kind", "gemeente_code", "is_active"]


class OrganisationViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """Organisations. Everyone signed in reads the directory; platform admins create;
    beheerders change their own organisation."""

    queryset = Organisation.objects.order_by("name")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "kind"]
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.organisation_create(actor=self.request.user, **data)

    def update_object(self, instance, *, version, data):
        return services.organisation_update(
            actor=self.request.user, organisation=instance, version=version, **data
        )


class MembershipFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(
        field_name="organisation__slug", label="Organisatie (korte naam)"
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MembershipViewSet(RestrictedModelViewSet):
    """Who belongs to which organisation, with which role. Colleagues read; beheerders
    change roles and remove people (invitations add them)."""

    queryset = Membership.objects.select_related("user", "organisation").order_by(
        "organisation__name", "user__email"
    )
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["role", "created_at"]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(request=MembershipRoleSerializer, responses=MembershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        payload = MembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            actor=request.user, membership=membership, **payload.validated_data
        )
        return Response(MembershipSerializer(membership).data)

    def perform_destroy(self, instance):
        services.membership_remove(actor=self.request.user, membership=instance)

    def destroy(self, request, *args, **kwargs):
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(
        field_name="organisation__slug", label="Organisatie (korte naam)"
    )

    class Meta:
        model = Invitation
        fields = ["organisation", "status", "role"]


class InvitationViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Invitations of the organisations the user manages. Creating one sends the mail;
    ``revoke`` withdraws it and ``resend`` sends a fresh link."""

    queryset = Invitation.objects.select_related("organisation").order_by("-created_at")
    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter

    def perform_create(self, serializer):
        data = serializer.validated_data
        organisation = get_object_for(
            self.request.user, Organisation.objects.all(), pk=data["organisation"].pk
        )
        serializer.instance = services.invitation_create(
            actor=self.request.user, organisation=organisation, email=data["email"], role=data["role"]
        )

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        invitation = services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=None, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        invitation = services.invitation_resend(actor=request.user, invitation=self.get_object())
        return Response(InvitationSerializer(invitation).data)
