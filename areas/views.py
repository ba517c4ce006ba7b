"""Pages for gemeenten, wijken, buurten and gebieden, search, and boundary imports.

Reads go through ``areas.selectors``; writes call the services of ``areas.services``.
Every map on a page has the same areas as a table beside it.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from rest_framework.exceptions import ValidationError as QueryError

from areas import panels, selectors, services
from areas.api.views import map_url_signature, parse_map_query
from areas.forms import BoundaryFetchForm, BoundaryUploadForm, GebiedEditForm, GebiedForm
from areas.models import Area, AreaKind
from core.geopackage import INTEGER, REAL, TEXT, Column, geopackage_bytes, geopackage_download
from core.permissions import allowed, is_platform_admin
from core.views import ServiceFormMixin, import_job_views

LEVEL_LABELS = {AreaKind.WIJK: gettext_lazy("wijken"), AreaKind.BUURT: gettext_lazy("buurten")}


def map_context(*, user, year, label, bbox, level, gemeente="", parent="", gebied="", highlight=""):
    """What the map include needs: where the GeoJSON comes from and where clicks go."""
    params = {"year": year, "level": level}
    if gebied:
        params["gebied"] = gebied
    elif parent:
        params["parent"] = parent
    else:
        params["gemeente"] = gemeente or selectors.NATIONAL
    download_query = urlencode(params)
    params["sig"] = map_url_signature(user)
    query = urlencode(params)
    return {
        "label": label,
        "geojson_url": f"{reverse('area-geojson')}?{query}",
        "geopackage_url": f"{reverse('areas:geopackage')}?{download_query}",
        "bbox": bbox,
        "area_url": reverse("areas:detail", kwargs={"year": year, "code": "CODE"}),
        "highlight": highlight,
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _sort_param(request):
    sort = request.GET.get("sorteer", "naam")
    return sort if sort.lstrip("-") in selectors.SORTS else "naam"


class AreaIndexView(LoginRequiredMixin, TemplateView):
    """Gemeenten of one boundary year, with a map of the country."""

    template_name = "areas/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        years = selectors.years(user=user)
        year = self.request.GET.get("jaar", "")
        year = int(year) if year.isdigit() and int(year) in years else (years[0] if years else None)
        gemeenten = selectors.gemeente_list(user=user, year=year) if year else Area.objects.none()
        gemeenten = list(gemeenten)
        context = super().get_context_data(
            years=years,
            year=year,
            gemeenten=gemeenten,
            can_import=is_platform_admin(user),
            **kwargs,
        )
        if gemeenten:
            context["map"] = map_context(
                user=self.request.user,
                year=year,
                label=_("Kaart van de gemeenten van Nederland in %(year)s") % {"year": year},
                bbox=selectors.bbox_of(gemeenten),
                level=AreaKind.GEMEENTE,
            )
        return context


@login_required
def area_detail(request, year, code):
    """The page of one gemeente, wijk, buurt or gebied. Its sections ask ``restrict()``
    the same rule many times; a read builds each once (``core.middleware.ReadRulesMiddleware``)."""
    area = selectors.area_get(user=request.user, year=year, code=code)
    other_year = request.GET.get("jaar", "")
    if other_year.isdigit() and int(other_year) != year:
        return _to_other_year(request, area, int(other_year))
    if area.kind == AreaKind.GEMEENTE:
        return _gemeente_page(request, area)
    if area.kind == AreaKind.GEBIED:
        return _gebied_page(request, area)
    return _wijk_or_buurt_page(request, area)


def _to_other_year(request, area, year):
    if selectors.area_exists_in(user=request.user, year=year, code=area.code):
        params = request.GET.copy()
        params.pop("jaar")
        url = reverse("areas:detail", kwargs={"year": year, "code": area.code})
        return redirect(f"{url}?{params.urlencode()}" if params else url)
    messages.warning(
        request,
        _("%(name)s bestaat niet in de indeling van %(year)s.") % {"name": area.name, "year": year},
    )
    return redirect("areas:detail", year=area.year, code=area.code)


def _common_context(request, area):
    user = request.user
    predecessors, successors = selectors.area_lineage(user=user, area=area)
    return {
        "area": area,
        "years": selectors.area_years(user=user, code=area.code),
        "predecessors": predecessors,
        "successors": successors,
        "sort": _sort_param(request),
        "sections": panels.sections_for(request, area),
    }


def _gemeente_page(request, gemeente):
    user = request.user
    level = request.GET.get("niveau", AreaKind.WIJK)
    if level not in LEVEL_LABELS:
        level = AreaKind.WIJK
    context = _common_context(request, gemeente)
    rows = list(
        selectors.area_table(
            user=user, year=gemeente.year, gemeente_code=gemeente.code, level=level, sort=context["sort"]
        )
    )
    context.update(
        level=level,
        level_label=LEVEL_LABELS[level],
        levels=LEVEL_LABELS,
        rows=rows,
        water_count=selectors.water_count(
            user=user, year=gemeente.year, level=level, gemeente_code=gemeente.code
        ),
        without_shape=sum(1 for row in rows if row.min_lon is None),
        wijk_count=selectors.area_table(
            user=user, year=gemeente.year, gemeente_code=gemeente.code, level=AreaKind.WIJK
        ).count(),
        buurt_count=selectors.area_table(
            user=user, year=gemeente.year, gemeente_code=gemeente.code, level=AreaKind.BUURT
        ).count(),
        gebieden=selectors.gebied_list(user=user, year=gemeente.year, gemeente_code=gemeente.code),
        can_add_gebied=selectors.manageable_organisations(user=user, gemeente_code=gemeente.code).exists(),
        map=map_context(
            user=request.user,
            year=gemeente.year,
            label=_("Kaart van de %(level)s van %(name)s; de tabel bevat dezelfde gegevens")
            % {"level": LEVEL_LABELS[level], "name": gemeente.name},
            bbox=selectors.bbox_of([gemeente]) or selectors.bbox_of(rows),
            level=level,
            gemeente=gemeente.code,
        ),
    )
    return render(request, "areas/gemeente.html", context)


def _gemeente_of(request, area):
    """The gemeente an area lies in, for the breadcrumbs."""
    return selectors.gemeente_of(user=request.user, area=area)


def _wijk_or_buurt_page(request, area):
    user = request.user
    context = _common_context(request, area)
    context["gemeente"] = _gemeente_of(request, area)
    if area.kind == AreaKind.WIJK:
        rows = list(
            selectors.area_table(
                user=user, year=area.year, parent=area, level=AreaKind.BUURT, sort=context["sort"]
            )
        )
        context.update(
            rows=rows,
            level=AreaKind.BUURT,
            water_count=selectors.water_count(user=user, year=area.year, level=AreaKind.BUURT, parent=area),
            without_shape=sum(1 for row in rows if row.min_lon is None),
            children_count=len(rows),
            map=map_context(
                user=request.user,
                year=area.year,
                label=_("Kaart van de buurten van %(name)s; de tabel bevat dezelfde gegevens")
                % {"name": area.name},
                bbox=selectors.bbox_of([area]) or selectors.bbox_of(rows),
                level=AreaKind.BUURT,
                parent=area.code,
            ),
        )
    else:
        context["map"] = None
        if area.min_lon is not None and area.parent is not None and not area.is_water:
            context["map"] = map_context(
                user=request.user,
                year=area.year,
                label=_("Kaart van %(name)s en de andere buurten van %(parent)s")
                % {"name": area.name, "parent": area.parent.name},
                bbox=selectors.bbox_of([area.parent]) or selectors.bbox_of([area]),
                level=AreaKind.BUURT,
                parent=area.parent.code,
                highlight=area.code,
            )
    return render(request, "areas/area_detail.html", context)


def _gebied_page(request, gebied):
    user = request.user
    context = _common_context(request, gebied)
    rows = list(selectors.gebied_members(user=user, gebied=gebied, sort=context["sort"]))
    context.update(
        gemeente=_gemeente_of(request, gebied),
        rows=rows,
        level=AreaKind.BUURT,
        without_shape=sum(1 for row in rows if row.min_lon is None),
        total_m2=sum(row.area_m2 or 0 for row in rows),
        can_change=allowed(user, "change", gebied),
        can_delete=allowed(user, "delete", gebied),
        map=map_context(
            user=request.user,
            year=gebied.year,
            label=_("Kaart van de buurten van gebied %(name)s; de tabel bevat dezelfde gegevens")
            % {"name": gebied.name},
            bbox=selectors.bbox_of(rows),
            level=AreaKind.BUURT,
            gebied=gebied.code,
        ),
    )
    return render(request, "areas/gebied_detail.html", context)


@login_required
def area_geopackage(request):
    """The areas of a map on these pages (the map URL's year, level and scope) as a
    GeoPackage, with their full-precision shapes."""
    try:
        query = parse_map_query(request.GET, user=request.user)
    except QueryError as exc:
        errors = " ".join(str(e) for errs in exc.detail.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    areas = list(
        selectors.map_areas_query(user=request.user, query=query)
        .select_related("parent")
        .defer(*selectors.HEAVY_FIELDS, *(f"parent__{f}" for f in selectors.HEAVY_FIELDS))
    )
    if not areas:
        raise Http404(_("Er zijn geen gebieden voor deze keuze."))
    shapes = selectors.shapes(user=request.user, area_ids=[a.pk for a in areas])
    parents = [a.parent for a in areas]
    columns = [
        Column("code", TEXT, [a.code for a in areas]),
        Column("name", TEXT, [a.name for a in areas]),
        Column("parent_code", TEXT, [p.code if p else None for p in parents]),
        Column("parent_name", TEXT, [p.name if p else None for p in parents]),
        Column("gemeente", TEXT, [a.gemeente_code for a in areas]),
        Column("year", INTEGER, [a.year for a in areas]),
        Column("area_m2", REAL, [a.area_m2 for a in areas]),
    ]
    stem = f"{query.level}-{query.scope}-{query.year}".lower()
    body = geopackage_bytes(
        layer=stem.replace("-", "_"),
        shapes=[shapes.get(a.pk) for a in areas],
        columns=columns,
        description=_("Grenzen: CBS Wijk- en buurtkaart, CC BY 4.0"),
    )
    return geopackage_download(body, stem)


@login_required
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    results = selectors.area_search(user=request.user, query=query)
    page = Paginator(results, 50).get_page(request.GET.get("pagina"))
    return render(request, "areas/search.html", {"query": query, "page": page})


class GebiedFormMixin(LoginRequiredMixin, ServiceFormMixin):
    template_name = "areas/gebied_form.html"
    conflict_fields = ("name", "description", "members")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = selectors.manageable_organisations(
            user=self.request.user, gemeente_code=self.gemeente.code
        )
        kwargs["buurten"] = selectors.buurten_for_gebied(
            user=self.request.user, year=self.gemeente.year, gemeente_code=self.gemeente.code
        )
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(gemeente=self.gemeente, **kwargs)

    def get_success_url(self):
        return reverse("areas:detail", kwargs={"year": self.object.year, "code": self.object.code})


class GebiedCreateView(GebiedFormMixin, FormView):
    form_class = GebiedForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.gemeente = selectors.area_get(user=request.user, year=kwargs["year"], code=kwargs["code"])
            if self.gemeente.kind != AreaKind.GEMEENTE:
                raise Http404(_("Niet gevonden."))
            if not selectors.manageable_organisations(
                user=request.user, gemeente_code=self.gemeente.code
            ).exists():
                raise PermissionDenied(
                    _("Alleen beheerders van een organisatie in %(name)s maken hier gebieden.")
                    % {"name": self.gemeente.name}
                )
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        gebied = services.gebied_create(
            actor=self.request.user,
            organisation=data["organisation"],
            name=data["name"],
            year=self.gemeente.year,
            buurten=list(data["buurten"]),
            description=data["description"],
        )
        messages.success(self.request, _("Gebied %s is aangemaakt.") % gebied.name)
        return gebied


class GebiedObjectMixin:
    required_action = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.gebied = selectors.area_get(
                user=request.user, year=kwargs["year"], code=kwargs["code"], action=self.required_action
            )
            if self.gebied.kind != AreaKind.GEBIED:
                raise Http404(_("Niet gevonden."))
            self.gemeente = _gemeente_of(request, self.gebied) or self.gebied
        return super().dispatch(request, *args, **kwargs)


class GebiedUpdateView(GebiedObjectMixin, GebiedFormMixin, FormView):
    form_class = GebiedEditForm

    def get_initial(self):
        return {
            "name": self.gebied.name,
            "description": self.gebied.description,
            "buurten": list(self.gebied.members.values_list("pk", flat=True)),
            "version": self.gebied.version,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(gebied=self.gebied, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        gebied = services.gebied_update(
            actor=self.request.user,
            gebied=self.gebied,
            version=data["version"],
            name=data["name"],
            buurten=list(data["buurten"]),
            description=data["description"],
        )
        messages.success(self.request, _("De wijzigingen in %s zijn opgeslagen.") % gebied.name)
        return gebied


class GebiedDeleteView(GebiedObjectMixin, LoginRequiredMixin, TemplateView):
    template_name = "areas/gebied_confirm_delete.html"
    required_action = "delete"

    def get_context_data(self, **kwargs):
        return super().get_context_data(gebied=self.gebied, gemeente=self.gemeente, **kwargs)

    def post(self, request, *args, **kwargs):
        try:
            services.gebied_delete(actor=request.user, gebied=self.gebied)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("areas:detail", year=self.gebied.year, code=self.gebied.code)
        messages.success(request, _("Gebied %s is verwijderd.") % self.gebied.name)
        return redirect("areas:detail", year=self.gemeente.year, code=self.gemeente.code)


class PlatformAdminRequired(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_platform_admin(request.user):
            raise PermissionDenied(_("Alleen platformbeheerders importeren grenzen."))
        return super().dispatch(request, *args, **kwargs)


class BoundaryImportView(PlatformAdminRequired, ServiceFormMixin, FormView):
    """Upload a boundary file, and the list of earlier imports."""

    template_name = "areas/import_list.html"
    form_class = BoundaryUploadForm

    def get_context_data(self, **kwargs):
        imports = selectors.boundary_import_list(user=self.request.user)
        page = Paginator(imports, 25).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(page=page, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return services.boundary_import_start(
            actor=self.request.user,
            uploaded_file=data["file"],
            year=data["year"],
            dry_run=data["dry_run"],
        )

    def get_success_url(self):
        return reverse("areas:import-detail", kwargs={"pk": self.object.pk})


boundary_import_detail, boundary_import_status = import_job_views(
    selectors.boundary_import_get,
    template="areas/import_detail.html",
    status_template="areas/_import_status.html",
)


class BoundaryFetchView(PlatformAdminRequired, ServiceFormMixin, FormView):
    """Fetch a year of boundaries from PDOK; the job page that follows shows its progress."""

    template_name = "areas/fetch_form.html"
    form_class = BoundaryFetchForm

    def perform(self, form):
        data = form.cleaned_data
        return services.boundary_fetch_start(
            actor=self.request.user, year=data["year"], gemeenten=[data["gemeenten"]], dry_run=data["dry_run"]
        )

    def get_success_url(self):
        return reverse("areas:import-detail", kwargs={"pk": self.object.pk})
