"""The API of the year report's export files: ask for a file, follow its job, download
it. Only the person who asked for a file sees its job and gets the file (anyone else:
404), with the same rules as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api.views import RestrictedViewSetMixin
from core.exports import CONTENT_TYPES
from core.files import stored_file_response
from reports import jobs, selectors
from reports.exports import FORMATS
from reports.models import YearReportExport


class ExportRequestSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16, help_text="Code van de gemeente, wijk of gebied.")
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    compare = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2200, help_text="Leeg: de vorige meting."
    )
    format = serializers.ChoiceField(choices=FORMATS)


class YearReportExportSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    format = serializers.CharField(source="fmt", read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = YearReportExport
        fields = [
            "id",
            "area_code",
            "area_name",
            "year",
            "compare",
            "format",
            "status",
            "progress",
            "progress_message",
            "errors",
            "original_name",
            "size",
            "created_at",
            "finished_at",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, job) -> str | None:
        if not job.has_file:
            return None
        return reverse("year-report-export-file", args=[job.pk])


class YearReportExportViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Your own exports of year reports; POST asks for a file (201: a new job; 200: your
    kept file, the data under it unchanged)."""

    queryset = YearReportExport.objects.select_related("area").order_by("-created_at", "-pk")
    serializer_class = YearReportExportSerializer

    def get_queryset(self):
        return super().get_queryset().filter(started_by_id=self.request.user.pk)

    @extend_schema(
        request=ExportRequestSerializer,
        responses={200: YearReportExportSerializer, 201: YearReportExportSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        area = selectors.report_area(user=request.user, code=values["code"], year=values["year"])
        try:
            job, new = jobs.export_request(
                actor=request.user,
                area=area,
                year=values["year"],
                compare=values.get("compare"),
                fmt=values["format"],
            )
        except DjangoValidationError as exc:
            raise ApiValidationError(exc.message_dict) from exc
        job.refresh_from_db()
        body = YearReportExportSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED if new else status.HTTP_200_OK)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, pk=None):
        job = self.get_object()
        if not job.has_file:
            raise NotFound(_("Dit bestand is (nog) niet beschikbaar."))
        return stored_file_response(job.file, filename=job.original_name, content_type=CONTENT_TYPES[job.fmt])
