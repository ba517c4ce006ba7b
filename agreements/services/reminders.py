"""Deadline reminders for bod, signing, monitoring and review: each sent once, by
notification and mail."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import (
    Agreement,
    AgreementParty,
    Bod,
    Commitment,
    GemeenteCalendar,
    MonitoringReport,
    PartyRole,
)
from agreements.services.bod import Deadlines
from agreements.services.common import MAIL_SUBJECT_LIMIT, NOTIFICATION_LIMIT, _url
from core.queueing import queue_on_commit
from core.text import shorten
from organisations.models import Membership, Organisation, roles_for


@dataclass
class _Due:
    kind: str
    object_key: str
    due_date: datetime.date
    recipient_ids: set
    text: str
    url: str = ""


def _next_on_or_after(today, month_day):
    this_year = Deadlines.on(today.year, month_day)
    return this_year if this_year >= today else Deadlines.on(today.year + 1, month_day)


def _people_ids_by_org(organisation_ids, action="change"):
    result = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role__in=roles_for(action), user__is_active=True
    ).values_list("organisation_id", "user_id"):
        result[org_id].add(user_id)
    return result


def _date_nl(day):
    from django.utils import formats, translation

    with translation.override("nl"):
        return formats.date_format(day, "j F Y")


def _open_windows(today, all_deadlines, which):
    """Gemeenten whose ``which`` deadline falls within their reminder window, grouped by
    due date (gemeenten on the default calendar share one group, so one query)."""
    groups = defaultdict(list)
    for deadlines in all_deadlines:
        due = _next_on_or_after(today, getattr(deadlines, which))
        if due <= today + datetime.timedelta(days=deadlines.reminder_days_ahead):
            groups[due].append(deadlines.gemeente_code)
    return sorted(groups.items())


def _bod_reminders(due, codes, names):
    """Corporations that still owe the bod for next year: those with a concept bod, and
    the corporations of running agreements that have not submitted one."""
    year = due.year + 1
    owing = set(
        AgreementParty.objects.filter(
            role=PartyRole.CORPORATIE,
            agreement__gemeente_code__in=codes,
            agreement__status__in=[Agreement.Status.ONDERHANDELING, Agreement.Status.ONDERTEKEND],
            agreement__start_year__lte=year,
            agreement__end_year__gte=year,
        ).values_list("organisation_id", "agreement__gemeente_code")
    ) | set(
        Bod.objects.filter(gemeente_code__in=codes, year=year).values_list("corporation_id", "gemeente_code")
    )
    owing -= set(
        Bod.objects.filter(gemeente_code__in=codes, year=year, status=Bod.Status.INGEDIEND).values_list(
            "corporation_id", "gemeente_code"
        )
    )
    people = _people_ids_by_org({corporation_id for corporation_id, _code in owing})
    return [
        _Due(
            kind="bod",
            object_key=f"bod:{corporation_id}:{code}:{year}",
            due_date=due,
            recipient_ids=people.get(corporation_id, set()),
            text=_("Het bod voor %(year)s voor %(gemeente)s moet uiterlijk %(date)s zijn ingediend.")
            % {"year": year, "gemeente": names.get(code, code), "date": _date_nl(due)},
            url=_url("agreements:bod-list"),
        )
        for corporation_id, code in sorted(owing)
    ]


def _signing_reminders(due, codes, names):
    """The parties of agreements in negotiation that have not signed yet."""
    unsigned = list(
        AgreementParty.objects.filter(
            agreement__gemeente_code__in=codes,
            agreement__status=Agreement.Status.ONDERHANDELING,
            signed_at__isnull=True,
        ).values_list("agreement_id", "agreement__title", "organisation_id")
    )
    people = _people_ids_by_org({org_id for _a, _t, org_id in unsigned})
    by_agreement, titles = defaultdict(set), {}
    for agreement_id, title, org_id in unsigned:
        by_agreement[agreement_id] |= people.get(org_id, set())
        titles[agreement_id] = title
    return [
        _Due(
            kind="signing",
            object_key=f"agreement:{agreement_id}",
            due_date=due,
            recipient_ids=recipient_ids,
            text=_("%(title)s moet uiterlijk %(date)s door uw organisatie zijn ondertekend.")
            % {"title": titles[agreement_id], "date": _date_nl(due)},
            url=_url("agreements:detail", agreement_id),
        )
        for agreement_id, recipient_ids in sorted(by_agreement.items())
    ]


def _monitoring_reminders(due, codes, names):
    """Commitments without a submitted or approved report over last year, per agreement
    and responsible party."""
    year = due.year - 1
    done = MonitoringReport.objects.filter(
        commitment_id=OuterRef("pk"),
        year=year,
        state__in=[MonitoringReport.State.SUBMITTED, MonitoringReport.State.APPROVED],
    )
    rows = list(
        Commitment.objects.filter(
            agreement__gemeente_code__in=codes,
            agreement__status=Agreement.Status.ONDERTEKEND,
            agreement__start_year__lte=year,
            agreement__end_year__gte=year,
        )
        .filter(~Exists(done))
        .values("agreement_id", "agreement__title", "responsible_id")
        .annotate(n=Count("pk"))
        .order_by("agreement_id", "responsible_id")
    )
    people = _people_ids_by_org({row["responsible_id"] for row in rows})
    return [
        _Due(
            kind="monitoring",
            object_key=f"monitoring:{row['agreement_id']}:{row['responsible_id']}:{year}",
            due_date=due,
            recipient_ids=people.get(row["responsible_id"], set()),
            text=_(
                "%(n)s afspraak/afspraken uit %(title)s wachten op uw monitoring over %(year)s "
                "(uiterlijk %(date)s)."
            )
            % {"n": row["n"], "title": row["agreement__title"], "year": year, "date": _date_nl(due)},
            url=_url("agreements:detail", row["agreement_id"]),
        )
        for row in rows
    ]


def _review_reminders(due, codes, names):
    """Submitted reports waiting for the gemeente party's review."""
    agreements = Agreement.objects.filter(gemeente_code__in=codes).values("pk")
    rows = list(
        MonitoringReport.objects.filter(
            state=MonitoringReport.State.SUBMITTED,
            commitment_id__in=Commitment.objects.filter(agreement_id__in=agreements).values("pk"),
        )
        .values("commitment__agreement_id", "commitment__agreement__title")
        .annotate(n=Count("pk"))
        .order_by("commitment__agreement_id")
    )
    gemeente_orgs = dict(
        AgreementParty.objects.filter(
            role=PartyRole.GEMEENTE, agreement_id__in=[row["commitment__agreement_id"] for row in rows]
        ).values_list("agreement_id", "organisation_id")
    )
    people = _people_ids_by_org(set(gemeente_orgs.values()))
    return [
        _Due(
            kind="review",
            object_key=f"review:{row['commitment__agreement_id']}",
            due_date=due,
            recipient_ids=people.get(gemeente_orgs.get(row["commitment__agreement_id"]), set()),
            text=_("%(n)s monitoring(en) van %(title)s wachten op uw beoordeling (uiterlijk %(date)s).")
            % {"n": row["n"], "title": row["commitment__agreement__title"], "date": _date_nl(due)},
            url=_url("agreements:reviewer-queue"),
        )
        for row in rows
    ]


REMINDER_KINDS = (
    ("bod", _bod_reminders),
    ("signing", _signing_reminders),
    ("monitoring", _monitoring_reminders),
    ("review", _review_reminders),
)


def _claim_reminders(rows):
    """Insert ``(kind, object_key, due_date, recipient_id)`` rows into ``ReminderSent``;
    return the ones this call inserted. ``ON CONFLICT DO NOTHING RETURNING`` (PostgreSQL
    and SQLite) makes the claim atomic: of two runs at the same moment, exactly one gets
    each row, so nobody is reminded twice."""
    from django.db import connection

    from agreements.models import ReminderSent

    table = connection.ops.quote_name(ReminderSent._meta.db_table)
    now = timezone.now()
    claimed = set()
    rows = list(rows)
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params = []
        for kind, object_key, due_date, recipient_id in chunk:
            params += [kind, object_key, due_date, recipient_id, now]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (kind, object_key, due_date, recipient_id, sent_at) VALUES {values} "
                "ON CONFLICT (kind, object_key, due_date, recipient_id) DO NOTHING "
                "RETURNING kind, object_key, due_date, recipient_id",
                params,
            )
            for kind, object_key, due_date, recipient_id in cursor.fetchall():
                claimed.add((kind, object_key, str(due_date), recipient_id))
    return claimed


@transaction.atomic
def reminders_send(*, today: datetime.date) -> int:
    """Remind people of the deadlines coming up within each gemeente's reminder window
    (its ``GemeenteCalendar``, or the defaults: bod 1 July, signing 15 December,
    monitoring 1 March, review 1 May, 14 days ahead).

    - bod: the bewerkers and beheerders of corporations that owe next year's bod;
    - signing: those of the parties of agreements in negotiation that have not signed;
    - monitoring: those of the responsible party, for commitments without a submitted or
      approved report over last year;
    - review: the gemeente party's bewerkers and beheerders, for submitted reports.

    Each (kind, object, due date, person) is reminded once, ever: ``ReminderSent`` has a
    unique constraint and rows are claimed atomically, so a second run, even a parallel
    one, sends nothing again. Every new reminder is a notification in the product; each
    person gets one mail per run listing their reminders. Returns the number sent.
    """
    from agreements.models import ReminderSent

    codes = set(
        Agreement.objects.exclude(status=Agreement.Status.CONCEPT).values_list("gemeente_code", flat=True)
    ) | set(Bod.objects.values_list("gemeente_code", flat=True))
    calendars = {cal.gemeente_code: cal for cal in GemeenteCalendar.objects.filter(gemeente_code__in=codes)}
    all_deadlines = [
        Deadlines.from_calendar(calendars[code]) if code in calendars else Deadlines(gemeente_code=code)
        for code in sorted(codes)
    ]
    names = dict(
        Organisation.objects.filter(kind=Organisation.Kind.GEMEENTE, gemeente_code__in=codes).values_list(
            "gemeente_code", "name"
        )
    )
    due_items = []
    for which, find in REMINDER_KINDS:
        for due, group in _open_windows(today, all_deadlines, which):
            due_items += find(due, group, names)
    if not due_items:
        return 0

    already = set(
        ReminderSent.objects.filter(
            kind__in={item.kind for item in due_items},
            due_date__in={item.due_date for item in due_items},
            object_key__in={item.object_key for item in due_items},
        ).values_list("kind", "object_key", "due_date", "recipient_id")
    )
    wanted = [
        (item.kind, item.object_key, item.due_date, user_id)
        for item in due_items
        for user_id in sorted(item.recipient_ids)
        if (item.kind, item.object_key, item.due_date, user_id) not in already
    ]
    claimed = _claim_reminders(wanted)
    sent = defaultdict(list)  # person id → [item, ...]
    for item in due_items:
        for user_id in sorted(item.recipient_ids):
            if (item.kind, item.object_key, str(item.due_date), user_id) in claimed:
                sent[user_id].append(item)
    if not sent:
        return 0

    from core.models import Notification

    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                kind=f"reminder_{item.kind}",
                text=shorten(item.text, NOTIFICATION_LIMIT),
                url=item.url,
            )
            for user_id, items in sent.items()
            for item in items
        ]
    )
    for user_id, items in sent.items():
        subject = shorten(
            _("Wijkkoers: herinnering – %(text)s") % {"text": items[0].text}
            if len(items) == 1
            else _("Wijkkoers: %(n)s herinneringen aan termijnen") % {"n": len(items)},
            MAIL_SUBJECT_LIMIT,
        )
        lines = [_("Deze termijnen komen eraan:"), ""]
        for item in items:
            lines.append(f"- {item.text}")
            if item.url:
                lines.append(f"  {settings.SITE_URL}{item.url}")
        body = "\n".join(lines)
        queue_on_commit(
            "agreements.tasks.mail_person", user_id, subject, body, what=f"reminder mail to {user_id}"
        )
    return sum(len(items) for items in sent.values())
