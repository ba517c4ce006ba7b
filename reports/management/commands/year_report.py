"""Write the year report of a gemeente, wijk or gebied as one person would get it.

    manage.py year_report GM0453 2025 --compare 2024 --as gemeente@demo.wijkkoers.nl --format html -o jaarbeeld.html

``html`` and ``json`` are written here; other formats (pdf, xlsx) come from
``reports.exports.render(report, fmt, user=...)`` when that module is installed.
"""

import json
from importlib.util import find_spec
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from reports import selectors
from reports.forms import CompareForm

BUILT_IN = ("html", "json")
EXPORTED = ("pdf", "xlsx")


def exported_formats() -> tuple[str, ...]:
    """The formats ``reports.exports`` provides, or none while it is not there."""
    if find_spec("reports.exports") is None:
        return ()
    from reports import exports

    return tuple(getattr(exports, "FORMATS", EXPORTED))


def render_html(report, *, user) -> bytes:
    """The report page as a stand-alone document (the page's template, without a request
    from a browser)."""
    from reports import views

    request = RequestFactory().get(f"/jaarbeeld/{report.area.code}/{report.year}/")
    request.user = user
    context = views.report_context(report=report, compare=report.compare)
    return render_to_string("reports/report.html", context, request=request).encode()


def render_json(report) -> bytes:
    return json.dumps(
        selectors.report_as_dict(report), cls=JSONEncoder, ensure_ascii=False, indent=2
    ).encode()


class Command(BaseCommand):
    help = _("Schrijf het jaarbeeld van een gemeente, wijk of gebied zoals een persoon het zou zien.")

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("CBS-code van de gemeente of wijk, of de code van het gebied"))
        parser.add_argument("year", type=int, help=_("het jaar van het jaarbeeld"))
        parser.add_argument("--compare", type=int, default=None, help=_("vergelijk met dit eerdere jaar"))
        parser.add_argument(
            "--as", dest="email", required=True, help=_("e-mailadres van de persoon met wiens rechten")
        )
        parser.add_argument("--format", dest="fmt", default="html", help="html, json, pdf of xlsx")
        parser.add_argument("-o", "--output", default="-", help=_("bestand (standaard: de uitvoer)"))

    def handle(self, *args, code, year, compare, email, fmt, output, **options):
        fmt = (fmt or "").strip().lower()
        exported = exported_formats()
        if fmt not in BUILT_IN + exported:
            if fmt in EXPORTED:
                raise CommandError(
                    _("Het formaat %(fmt)s is in deze installatie niet beschikbaar; kies html of json.")
                    % {"fmt": fmt}
                )
            raise CommandError(
                _("Onbekend formaat %(fmt)s; kies uit %(choices)s.")
                % {"fmt": fmt, "choices": ", ".join(BUILT_IN + exported)}
            )
        user = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(
                _("Er is geen actieve persoon met het e-mailadres %(email)s.") % {"email": email}
            )
        try:
            area = selectors.report_area(user=user, code=code, year=year)
        except selectors.ReportNotFound as exc:
            raise CommandError(str(exc)) from exc
        years = selectors.report_years(user=user, area=area)
        if compare is not None:
            form = CompareForm({"vergelijk": str(compare)}, year=year, years=years)
            if not form.is_valid():
                raise CommandError(" ".join(form.errors["vergelijk"]))
        report = selectors.year_report(user=user, area=area, year=year, compare=compare, years=years)
        if fmt == "html":
            body = render_html(report, user=user)
        elif fmt == "json":
            body = render_json(report)
        else:
            if output == "-":
                raise CommandError(
                    _("Een %(fmt)s-bestand gaat naar een bestand: geef -o BESTAND.") % {"fmt": fmt}
                )
            from reports import exports

            body = exports.render(report, fmt, user=user)
        if output == "-":
            self.stdout.write(body.decode())
            return
        Path(output).write_bytes(body)
        self.stderr.write(
            _("Jaarbeeld %(code)s %(year)s geschreven naar %(file)s.")
            % {"code": area.code, "year": year, "file": output}
        )
