"""The API for area teams, urgency, interventions, progress updates and attachments.

Every list starts from ``restrict()``; every write calls a service. Updates need the
version they start from and answer 409 when someone else saved in between.
"""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from areas.models import Area
from core.api.views import (
    RestrictedModelViewSet,
    RestrictedViewSetMixin,
    VersionedUpdateMixin,
    require_version,
)
from core.files import stored_file_response
from core.permissions import get_object_for
from interventions import selectors, services
from interventions.api.serializers import (
    AreaTeamCreateSerializer,
    AreaTeamSerializer,
    AttachmentAddSerializer,
    AttachmentSerializer,
    EvaluationSerializer,
    InterventionSerializer,
    ProgressCreateSerializer,
    ProgressUpdateSerializer,
    StatusChangeSerializer,
    TeamMemberCreateSerializer,
    TeamMemberRoleSerializer,
    TeamMemberSerializer,
    UrgencyAssessmentSerializer,
    UrgencyUpdateSerializer,
    WijkgesprekActionSerializer,
    WijkgesprekCreateSerializer,
    WijkgesprekSerializer,
)
from interventions.evaluation import UnknownModel, intervention_evaluation_shared
from interventions.models import (
    AreaTeam,
    Attachment,
    Intervention,
    ProgressUpdate,
    TeamMember,
    Theme,
    UrgencyAssessment,
    Wijkgesprek,
)
from organisations.models import Organisation

# --- teams ---------------------------------------------------------------------------


class AreaTeamViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """Area teams the user's organisations are in. Beheerders of a gemeente or corporation
    form one; the trekker's beheerders change it."""

    queryset = (
        AreaTeam.objects.select_related("area")
        .prefetch_related(Prefetch("members", queryset=TeamMember.objects.select_related("organisation")))
        .order_by("name", "pk")
    )
    serializer_class = AreaTeamSerializer
    filterset_fields = {"area__code": ["exact"], "area__year": ["exact"], "area__gemeente_code": ["exact"]}
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=AreaTeamCreateSerializer, responses=AreaTeamSerializer)
    def create(self, request, *args, **kwargs):
        payload = AreaTeamCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = services.team_create(
            actor=request.user,
            area=data["area"],
            name=data["name"],
            description=data.get("description", ""),
            members=[(member["organisation"], member["role"]) for member in data["members"]],
        )
        return self.written(team, status=201)

    def update_object(self, instance, *, version, data):
        return services.team_update(actor=self.request.user, team=instance, version=version, **data)


class TeamMemberViewSet(RestrictedModelViewSet):
    """Organisations in the teams, with their team role. The trekker's beheerders add,
    change and remove them."""

    queryset = TeamMember.objects.select_related("organisation").order_by(
        "team_id", "role", "organisation__name"
    )
    serializer_class = TeamMemberSerializer
    filterset_fields = ["team", "role"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(request=TeamMemberCreateSerializer, responses=TeamMemberSerializer)
    def create(self, request, *args, **kwargs):
        payload = TeamMemberCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        team = get_object_for(request.user, AreaTeam.objects.all(), "change", pk=data["team"].pk)
        member = services.team_member_add(
            actor=request.user, team=team, organisation=data["organisation"], role=data["role"]
        )
        return Response(TeamMemberSerializer(member).data, status=201)

    @extend_schema(request=TeamMemberRoleSerializer, responses=TeamMemberSerializer)
    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        payload = TeamMemberRoleSerializer(data=request.data, context=self.get_serializer_context())
        require_version(request.data)
        payload.is_valid(raise_exception=True)
        member = services.team_member_change_role(actor=request.user, member=member, **payload.validated_data)
        return Response(TeamMemberSerializer(member).data)

    def destroy(self, request, *args, **kwargs):
        services.team_member_remove(actor=request.user, member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class UrgencyAssessmentViewSet(RestrictedModelViewSet):
    """The urgency per team per year. Trekkers and partners record it; a second recording
    of a year needs the version of the first."""

    queryset = UrgencyAssessment.objects.select_related("assessed_by").order_by("team_id", "-year")
    serializer_class = UrgencyAssessmentSerializer
    filterset_fields = ["team", "year", "urgency"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        team = get_object_for(self.request.user, AreaTeam.objects.all(), pk=data.pop("team").pk)
        serializer.instance = services.urgency_record(actor=self.request.user, team=team, **data)

    @extend_schema(request=UrgencyUpdateSerializer, responses=UrgencyAssessmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        assessment = self.get_object()
        require_version(request.data)
        incoming = request.data
        payload = UrgencyUpdateSerializer(
            data={
                "urgency": incoming.get("urgency", assessment.urgency),
                "rationale": incoming.get("rationale", assessment.rationale),
                "version": incoming.get("version"),
            }
        )
        payload.is_valid(raise_exception=True)
        assessment = services.urgency_record(
            actor=request.user, team=assessment.team, year=assessment.year, **payload.validated_data
        )
        return Response(UrgencyAssessmentSerializer(assessment).data)


# --- interventions -------------------------------------------------------------------


class InterventionFilter(django_filters.FilterSet):
    """The filters of the list page: area, theme, status, organisation, period, text."""

    area = django_filters.CharFilter(method="passthrough", label="Gebiedscode (wijk of buurt)")
    theme = django_filters.ChoiceFilter(method="passthrough", choices=Theme.choices, label="Thema")
    status = django_filters.ChoiceFilter(
        method="passthrough", choices=Intervention.Status.choices, label="Status"
    )
    organisation = django_filters.CharFilter(
        method="passthrough", label="Organisatie (korte naam): trekker of partner"
    )
    period_from = django_filters.DateFilter(method="passthrough", label="Loopt op of na deze datum")
    period_to = django_filters.DateFilter(method="passthrough", label="Loopt op of vóór deze datum")
    q = django_filters.CharFilter(method="passthrough", label="Zoek in titel en omschrijving")
    team = django_filters.NumberFilter(method="passthrough", label="Team (id)")

    class Meta:
        model = Intervention
        fields = []

    def passthrough(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        # One rule for the page, the export and the API: the selector's filters (it starts
        # from restrict() itself, like the queryset it replaces).
        filters = {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "")}
        if not filters:
            return queryset
        if "organisation" in filters:
            organisation = Organisation.objects.filter(slug=filters["organisation"]).first()
            filters["organisation"] = organisation.pk if organisation else -1
        if "team" in filters:
            filters["team"] = int(filters["team"])
        return selectors.with_links(
            selectors.intervention_list(user=self.request.user, **filters), user=self.request.user
        )


class InterventionViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """Interventions in the teams of the user's organisations. Bewerkers of a trekker or
    partner log them; bewerkers of the lead and partner organisations change them. The
    status moves through the ``status`` action, which adds a timeline entry."""

    queryset = Intervention.objects.all()
    serializer_class = InterventionSerializer
    filterset_class = InterventionFilter
    ordering_fields = ["updated_at", "title", "start_date", "end_date", "status"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if self.action in {"update", "partial_update", "destroy"}:
            # A change or removal reads its intervention plainly: the service locks and
            # reads it again, and the answer is read with its links (``listed``).
            return Intervention.objects.restrict(self.request.user, "view").select_related("team__area")
        return self.listed()

    def listed(self):
        """The interventions as the list shows them: with the links the person may see."""
        return selectors.with_links(
            selectors.intervention_list(user=self.request.user), user=self.request.user
        )

    def _service_data(self, data, team):
        data = dict(data)
        codes = data.pop("areas", None)
        if codes is not None:
            allowed = {
                area.code: area for area in Area.objects.filter(pk__in=services.allowed_area_ids(team))
            }
            unknown = [code for code in (c.strip().upper() for c in codes) if code not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        "areas": [
                            _("%(code)s ligt niet in het gebied van dit team (%(team)s).")
                            % {"code": code, "team": team.area.code}
                            for code in unknown
                        ]
                    }
                )
            data["areas"] = [allowed[code.strip().upper()] for code in codes]
        for name in ("description", "funder"):
            if name in data and data[name] is None:
                data[name] = ""
        return data

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        team = get_object_for(
            self.request.user, AreaTeam.objects.select_related("area"), pk=data.pop("team").pk
        )
        data = self._service_data(data, team)
        data.setdefault("description", "")
        intervention = services.intervention_create(actor=self.request.user, team=team, **data)
        # Read back as a list row: the links the person may see, like every other answer.
        serializer.instance = self.get_queryset().get(pk=intervention.pk)

    def update_object(self, instance, *, version, data):
        intervention = instance
        if "team" in data and data.pop("team").pk != intervention.team_id:
            raise ValidationError({"team": _("Een interventie verhuist niet naar een ander team.")})
        if "status" in data or "stop_reason" in data:
            raise ValidationError({"status": _("Wijzig de status met de status-actie.")})
        data = self._service_data(data, intervention.team)
        intervention = services.intervention_update(
            actor=self.request.user, intervention=intervention, version=version, **data
        )
        return self.listed().get(pk=intervention.pk)

    def perform_destroy(self, instance):
        services.intervention_delete(actor=self.request.user, intervention=instance)

    @extend_schema(request=StatusChangeSerializer, responses=InterventionSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        intervention = get_object_for(request.user, Intervention.objects.all(), "change", pk=pk)
        payload = StatusChangeSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        intervention = services.intervention_change_status(
            actor=request.user,
            intervention=intervention,
            to_status=data["status"],
            reason=data["reason"],
            version=data["version"],
        )
        return self.written(intervention)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "model",
                str,
                description="Sleutel van het scoremodel; zonder: de open Wijkkoers veerkracht-index als die scores heeft.",
            )
        ],
        responses=EvaluationSerializer,
    )
    @action(detail=True, methods=["get"], url_path="evaluation")
    def evaluation(self, request, pk=None):
        """The scores of the intervention's areas before and after its period, beside
        comparable buurten without such an intervention. 404 for an unknown model or one
        the user may not see."""
        intervention = get_object_for(request.user, Intervention.objects.all(), pk=pk)
        key = (request.query_params.get("model") or "").strip() or None
        try:
            evaluation = intervention_evaluation_shared(
                user=request.user, intervention=intervention, model_key=key
            )
        except UnknownModel as exc:
            raise NotFound(_("Onbekend scoremodel, of een model dat u niet mag zien.")) from exc
        return Response(EvaluationSerializer(evaluation).data)


# --- progress and attachments --------------------------------------------------------


class ProgressUpdateViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The timeline of the interventions the user may see. Bewerkers of the lead and
    partner organisations add updates, with attachments as multipart files."""

    queryset = (
        ProgressUpdate.objects.select_related("author")
        .prefetch_related("attachments")
        .order_by("-date", "-created_at")
    )
    serializer_class = ProgressUpdateSerializer
    filterset_fields = ["intervention", "date"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ProgressCreateSerializer}, responses=ProgressUpdateSerializer
    )
    def create(self, request, *args, **kwargs):
        payload = ProgressCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        intervention = get_object_for(
            request.user, Intervention.objects.all(), "change", pk=data["intervention"]
        )
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else data.get("files", [])
        update = services.progress_add(
            actor=request.user,
            intervention=intervention,
            date=data["date"],
            text=data["text"],
            progress=data.get("progress"),
            files=files,
        )
        update = self.get_queryset().get(pk=update.pk)
        return Response(ProgressUpdateSerializer(update).data, status=201)

    @extend_schema(
        request={"multipart/form-data": AttachmentAddSerializer}, responses={201: ProgressUpdateSerializer}
    )
    @action(detail=True, methods=["post"], url_path="attachments")
    def add_attachments(self, request, pk=None):
        """Add attachments (multipart ``files``) to an update afterwards, with the checks
        of a new update: type and content, size, at most five per update."""
        update = self.get_object()
        services.attachments_add(actor=request.user, update=update, files=request.FILES.getlist("files"))
        return self.written(update, status=201)


class AttachmentViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Attachments of the progress updates the user may see; ``download`` gives the file."""

    queryset = Attachment.objects.order_by("-created_at", "pk")
    serializer_class = AttachmentSerializer
    filterset_fields = ["update", "update__intervention"]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        return stored_file_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )


# --- wijkgesprekken --------------------------------------------------------------------


class WijkgesprekViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """Wijkgesprekken of the teams: team members read them; bewerkers of the trekker and
    partners record and change them. Actions are added through ``acties``."""

    queryset = Wijkgesprek.objects.all()
    serializer_class = WijkgesprekSerializer
    filterset_fields = ["team", "year"]
    ordering_fields = ["date", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.gesprek_list(user=self.request.user)

    @extend_schema(request=WijkgesprekCreateSerializer, responses=WijkgesprekSerializer)
    def create(self, request, *args, **kwargs):
        payload = WijkgesprekCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        team = get_object_for(request.user, AreaTeam.objects.all(), pk=data.pop("team").pk)
        gesprek = services.wijkgesprek_create(
            actor=request.user, team=team, actions=data.pop("action_texts", []), **data
        )
        return self.written(gesprek, status=201)

    def update_object(self, instance, *, version, data):
        if "team" in data and data.pop("team").pk != instance.team_id:
            raise ValidationError({"team": _("Een wijkgesprek blijft bij zijn team.")})
        gesprek = services.wijkgesprek_update(
            actor=self.request.user, gesprek=instance, version=version, **data
        )
        return self.get_queryset().get(pk=gesprek.pk)

    @extend_schema(request=WijkgesprekActionSerializer, responses=WijkgesprekActionSerializer)
    @action(detail=True, methods=["post"], url_path="acties")
    def add_action(self, request, pk=None):
        gesprek = self.get_object()
        payload = WijkgesprekActionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        created = services.wijkgesprek_action_add(
            actor=request.user, gesprek=gesprek, **payload.validated_data
        )
        return Response(WijkgesprekActionSerializer(created).data, status=201)
