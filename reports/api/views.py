"""The year report as JSON, with the same rights as the page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import selectors
from reports.forms import CompareForm


class YearReportView(APIView):
    """GET the year report of a gemeente, wijk or gebied (``code``) for ``year``."""

    @extend_schema(
        operation_id="year_report",
        summary="Jaarbeeld van een gemeente, wijk of gebied",
        description=(
            "Het jaarbeeld zoals de ingelogde persoon het mag zien: scores (per model beide jaren, "
            "de verandering, buurten die van klasse veranderden, nieuwe signalen en de kaartgegevens), "
            "urgentie naast de cijfers, interventies, prestatieafspraken, samenwerking en bronnen. "
            "`parts_hidden` zegt dat er delen zijn weggelaten die de persoon niet mag zien. "
            "De opbouw staat beschreven in `reports.selectors`."
        ),
        parameters=[
            OpenApiParameter(
                "vergelijk",
                OpenApiTypes.INT,
                required=False,
                description="Een eerder jaar om mee te vergelijken; zonder: de vorige meting van elk model.",
            )
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Het jaarbeeld"),
            400: OpenApiResponse(description="Ongeldig vergelijkingsjaar"),
            404: OpenApiResponse(description="Onbekende code of jaar"),
        },
    )
    def get(self, request, code: str, year: int):
        area = selectors.report_area(user=request.user, code=code, year=year)
        years = selectors.report_years(user=request.user, area=area)
        form = CompareForm({"vergelijk": request.query_params.get("vergelijk", "")}, year=year, years=years)
        if not form.is_valid():
            raise ValidationError({"vergelijk": form.errors["vergelijk"]})
        report = selectors.year_report(
            user=request.user, area=area, year=year, compare=form.cleaned_data["vergelijk"], years=years
        )
        return Response(selectors.report_as_dict(report))
