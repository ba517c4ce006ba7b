"""The agreements API: restricted like the pages (lists show what the user may read,
objects outside their reach answer 404), paginated, filtered with django-filter; every
write calls ``agreements.services`` and every update needs the version it started from
(409 when someone else changed the object in between)."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agreements import services
from agreements.api.serializers import (
    AdoptSerializer,
    AgreementCreateSerializer,
    AgreementPartySerializer,
    AgreementSerializer,
    BodSerializer,
    CommitmentSerializer,
    DisputeSerializer,
    MonitoringCommentSerializer,
    MonitoringReportSerializer,
    ResolveSerializer,
    ReviewSerializer,
    SignSerializer,
    SubmitSerializer,
    TransitionSerializer,
)
from agreements.models import (
    Agreement,
    AgreementParty,
    Bod,
    Commitment,
    MonitoringComment,
    MonitoringReport,
    Theme,
)
from core.api.views import (
    RestrictedModelViewSet,
    RestrictedReadOnlyViewSet,
    RestrictedViewSetMixin,
    VersionedUpdateMixin,
)
from core.permissions import get_object_for

# --- agreements and parties ------------------------------------------------------------


class AgreementFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(method="filter_year", label="Loopt in jaar")
    search = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Zoek op titel")

    class Meta:
        model = Agreement
        fields = ["gemeente_code", "status"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class AgreementViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """Prestatieafspraken of which the user's organisation is a party. ``sign`` signs for
    the user's own party, ``transition`` moves the status one step."""

    queryset = Agreement.objects.prefetch_related("parties__organisation", "parties__signed_by").order_by(
        "-start_year", "title", "pk"
    )
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["start_year", "title", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return AgreementCreateSerializer
        return super().get_serializer_class()

    @extend_schema(request=AgreementCreateSerializer, responses=AgreementSerializer)
    def create(self, request, *args, **kwargs):
        payload = AgreementCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        parties = [(p["organisation"], p.get("role", "")) for p in data.pop("parties")]
        agreement = services.agreement_create(actor=request.user, parties=parties, **data)
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    def update_object(self, instance, *, version, data):
        return services.agreement_update(actor=self.request.user, agreement=instance, version=version, **data)

    @extend_schema(request=TransitionSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        agreement = self.visible_object()
        payload = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        agreement = services.agreement_transition(
            actor=request.user, agreement=agreement, **payload.validated_data
        )
        return self.written(agreement)

    @extend_schema(request=SignSerializer, responses=AgreementPartySerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        agreement = self.visible_object()
        payload = SignSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        party = None
        if payload.validated_data.get("party"):
            party = get_object_or_404(agreement.parties.all(), pk=payload.validated_data["party"])
        party = services.agreement_sign(actor=request.user, agreement=agreement, party=party)
        return Response(AgreementPartySerializer(party).data)


class AgreementPartyFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(
        field_name="organisation__slug", label="Organisatie (korte naam)"
    )

    class Meta:
        model = AgreementParty
        fields = ["agreement", "role", "organisation"]


class AgreementPartyViewSet(RestrictedReadOnlyViewSet):
    """The parties of the agreements the user may read, with their signatures."""

    queryset = AgreementParty.objects.select_related("organisation", "signed_by").order_by(
        "agreement", "role", "pk"
    )
    serializer_class = AgreementPartySerializer
    filterset_class = AgreementPartyFilter


# --- commitments ---------------------------------------------------------------------


class CommitmentFilter(django_filters.FilterSet):
    responsible = django_filters.CharFilter(
        field_name="responsible__slug", label="Verantwoordelijke (korte naam)"
    )
    theme = django_filters.ChoiceFilter(choices=Theme.choices)

    class Meta:
        model = Commitment
        fields = ["agreement", "bod", "theme", "is_disputed", "responsible", "target_year"]


COMMITMENT_FIELDS = {"theme", "text", "responsible", "target_value", "target_unit", "target_year", "number"}


class CommitmentViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """Commitments of agreements, and proposals in a bod. ``dispute`` and ``resolve`` mark
    and end a geschil; ``adopt`` takes a bod proposal into an agreement."""

    queryset = Commitment.objects.select_related("responsible", "disputed_by").order_by(
        "theme", "number", "pk"
    )
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilter
    ordering_fields = ["theme", "number", "target_year"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        user = self.request.user
        agreement, bod = data.pop("agreement", None), data.pop("bod", None)
        if agreement is not None:
            agreement = get_object_for(user, Agreement.objects.all(), pk=agreement.pk)
        if bod is not None:
            bod = get_object_for(user, Bod.objects.all(), pk=bod.pk)
        serializer.instance = services.commitment_create(actor=user, agreement=agreement, bod=bod, **data)

    def update_object(self, instance, *, version, data):
        fields = {name: value for name, value in data.items() if name in COMMITMENT_FIELDS}
        return services.commitment_update(
            actor=self.request.user, commitment=instance, version=version, **fields
        )

    def perform_destroy(self, instance):
        services.commitment_delete(actor=self.request.user, commitment=instance)

    @extend_schema(request=DisputeSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        commitment = self.visible_object()
        payload = DisputeSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        commitment = services.commitment_dispute(
            actor=request.user, commitment=commitment, note=payload.validated_data["note"]
        )
        return Response(CommitmentSerializer(commitment).data)

    @extend_schema(request=ResolveSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        commitment = self.visible_object()
        payload = ResolveSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        commitment = services.commitment_resolve_dispute(
            actor=request.user, commitment=commitment, note=payload.validated_data["note"]
        )
        return Response(CommitmentSerializer(commitment).data)

    @extend_schema(request=AdoptSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        proposal = self.visible_object()
        payload = AdoptSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        agreement = get_object_for(
            request.user, Agreement.objects.all(), pk=payload.validated_data["agreement"]
        )
        commitment = services.commitment_adopt(actor=request.user, proposal=proposal, agreement=agreement)
        return Response(CommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)


# --- boden -------------------------------------------------------------------------------


class BodFilter(django_filters.FilterSet):
    corporation = django_filters.CharFilter(field_name="corporation__slug", label="Corporatie (korte naam)")

    class Meta:
        model = Bod
        fields = ["year", "gemeente_code", "status", "corporation"]


class BodViewSet(VersionedUpdateMixin, RestrictedModelViewSet):
    """The corporations' yearly boden: the corporation's own, and the submitted ones the
    user's organisation received. ``submit`` sends it to the gemeente and the tenants."""

    queryset = (
        Bod.objects.select_related("corporation")
        .prefetch_related("recipients")
        .order_by("-year", "corporation__name", "pk")
    )
    serializer_class = BodSerializer
    filterset_class = BodFilter
    ordering_fields = ["year", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.bod_create(actor=self.request.user, **data)

    def update_object(self, instance, *, version, data):
        return services.bod_update(
            actor=self.request.user,
            bod=instance,
            version=version,
            summary=data.get("summary"),
            recipients=data.get("recipients"),
        )

    @extend_schema(request=None, responses=BodSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        bod = services.bod_submit(actor=request.user, bod=self.visible_object())
        return Response(BodSerializer(bod).data)


# --- monitoring --------------------------------------------------------------------------


class MonitoringReportFilter(django_filters.FilterSet):
    agreement = django_filters.NumberFilter(
        field_name="commitment__agreement", label="Prestatieafspraak (id)"
    )
    awaiting_my_review = django_filters.BooleanFilter(
        method="filter_awaiting", label="Alleen wat op mijn beoordeling wacht"
    )

    class Meta:
        model = MonitoringReport
        fields = ["commitment", "agreement", "year", "state", "progress"]

    def filter_awaiting(self, queryset, name, value):
        if not value:
            return queryset
        from agreements import selectors

        return queryset.filter(pk__in=selectors.reviewer_queue(user=self.request.user).values("pk"))


class MonitoringReportViewSet(
    VersionedUpdateMixin,
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Yearly monitoring per commitment. Creating or changing one saves a draft (the
    responsible party); ``submit`` sends it for review; ``approve`` and ``return`` are the
    gemeente's review; ``comments`` lists and adds comments (tenants among others)."""

    queryset = MonitoringReport.objects.select_related("commitment").order_by("-year", "commitment_id", "pk")
    serializer_class = MonitoringReportSerializer
    filterset_class = MonitoringReportFilter
    ordering_fields = ["year", "state", "submitted_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        commitment = get_object_for(self.request.user, Commitment.objects.all(), pk=data.pop("commitment").pk)
        serializer.instance = services.report_save_draft(
            actor=self.request.user, commitment=commitment, **data
        )

    def update_object(self, instance, *, version, data):
        report = instance
        data.pop("commitment", None)
        data.pop("year", None)
        return services.report_save_draft(
            actor=self.request.user,
            commitment=report.commitment,
            year=report.year,
            version=version,
            progress=data.get("progress", report.progress),
            realised_value=data.get("realised_value", report.realised_value),
            explanation=data.get("explanation", report.explanation),
        )

    @extend_schema(request=SubmitSerializer, responses=MonitoringReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        payload = SubmitSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        report = services.report_submit(
            actor=request.user, report=self.visible_object(), version=payload.validated_data.get("version")
        )
        return Response(MonitoringReportSerializer(report).data)

    @extend_schema(request=ReviewSerializer, responses=MonitoringReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        payload = ReviewSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        report = services.report_approve(
            actor=request.user, report=self.visible_object(), comment=payload.validated_data["comment"]
        )
        return Response(MonitoringReportSerializer(report).data)

    @extend_schema(request=ReviewSerializer, responses=MonitoringReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_revision(self, request, pk=None):
        payload = ReviewSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        report = services.report_return(
            actor=request.user, report=self.visible_object(), comment=payload.validated_data["comment"]
        )
        return Response(MonitoringReportSerializer(report).data)

    @extend_schema(methods=["GET"], responses=MonitoringCommentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=MonitoringCommentSerializer, responses={201: MonitoringCommentSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        report = self.visible_object()
        if request.method == "POST":
            payload = MonitoringCommentSerializer(data=request.data, context=self.get_serializer_context())
            payload.is_valid(raise_exception=True)
            comment = services.report_comment(
                actor=request.user, report=report, text=payload.validated_data["text"]
            )
            return Response(MonitoringCommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        comments = (
            MonitoringComment.objects.restrict(request.user, "view")
            .filter(report=report)
            .select_related("author", "organisation")
        )
        return Response(MonitoringCommentSerializer(comments, many=True).data)
