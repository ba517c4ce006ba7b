"""What the agreement pages share: page sizes, the objects read through ``restrict()``, and
the rows of a commitment table."""

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from agreements import selectors
from agreements.formatting import format_quantity
from agreements.models import (
    MonitoringReport,
)
from organisations.models import organisation_id_set

PAGE_SIZE = 50
REVIEW_PAGE_SIZE = 25
GEMEENTE_CODE = re.compile(r"GM\d{4}")


def own_org_ids(user, action="change"):
    """The ids of the user's own organisations where their role allows ``action``."""
    return organisation_id_set(user, action)


def agreement_for(request, pk, action="view"):
    return selectors.agreement_get(user=request.user, pk=pk, action=action)


def commitment_for(request, pk, action="view"):
    return selectors.commitment_get(user=request.user, pk=pk, action=action)


def report_for(request, pk):
    return selectors.report_get(user=request.user, pk=pk)


def prepare_rows(commitments, years):
    """Give each commitment what its row on the agreement page shows, as ready text.

    A large agreement has hundreds of commitments with a report per year; rendering a
    template include per badge made the page slow, so the badges are built here once.
    """
    commitment_url = reverse("agreements:commitment", args=[0]).replace("/0/", "/{}/")
    # Labels are translated once, not once per badge.
    states = {
        value: escape(MonitoringReport.label_of_state(value)) for value in MonitoringReport.State.values
    }
    progress = {value: escape(label) for value, label in MonitoringReport.Progress.choices}
    in_year = _("in")
    for c in commitments:
        c.url = commitment_url.format(c.pk)
        if c.target_value is not None:
            c.target_text = format_quantity(c.target_value, c.target_unit) + (
                f" {in_year} {c.target_year}" if c.target_year else ""
            )
        else:
            c.target_text = ""
        reports = c.reports_by_year
        # Every part is escaped above or is a number.
        c.badges = mark_safe(
            "".join(
                f'<li><a class="utrecht-link" href="{c.url}#jaar-{year}" title="{progress[r.progress]}">{year}</a> '
                f'<span class="utrecht-status-badge {r.state_badge}">{states[r.state]}</span></li>'
                for year in years
                if (r := reports.get(year)) is not None
            )
        )


def gemeente_name(user, code):
    """The name of a gemeente by its code, as the person may read it (the code when unknown)."""
    return selectors.gemeente_names(user=user, codes=[code]).get(code, code)
