"""Writes for prestatieafspraken: agreements and their parties, signatures, amendments,
the yearly bod, commitments, disputes and the yearly monitoring with its review.

Every write checks rights here, validates before it saves (``full_clean`` through
``core.services.save_versioned``, which also records the history user) and refuses with a
plain Dutch message when a workflow rule is broken; nothing is half-saved because every
service runs in one transaction.

Workflow rules in short:

- An agreement moves concept → onderhandeling → ondertekend → afgerond, one step at a
  time. It becomes ``ondertekend`` by itself when the last party signs.
- While in ``onderhandeling``, a change to its content withdraws the signatures already
  given (the parties signed a different text); the history says so.
- A signed agreement is read-only. It changes only through an open ``Amendment``; edits
  made then carry the amendment (``Commitment.amendment``) and their history reason names
  it. A finished (``afgerond``) agreement never changes and takes no more monitoring;
  it can be finished only when no report waits for review.
- Monitoring is written by the responsible party's bewerkers and beheerders and reviewed
  by the gemeente party's bewerkers and beheerders. Platform admins manage the platform;
  they do not sign, report or review on behalf of a party.
- Comments on monitoring: bewerkers and beheerders of every party, and every member of a
  tenants' organisation that is a party (lezers included: reading and commenting is the
  tenants' part in the monitoring).
- A bod submitted after its deadline is accepted and stored with ``submitted_late``.
  The bod for year Y is due on the gemeente's bod date (default 1 July) of year Y-1."""

from agreements.services.agreements import (  # noqa: F401
    agreement_attach_document,
    agreement_create,
    agreement_sign,
    agreement_transition,
    agreement_update,
    party_add,
    party_remove,
)
from agreements.services.amendments import (  # noqa: F401
    amendment_close,
    amendment_open,
)
from agreements.services.bod import (  # noqa: F401
    CALENDAR_FIELDS,
    Deadlines,
    bod_create,
    bod_due_date,
    bod_submit,
    bod_update,
    calendar_can_change,
    calendar_save,
    deadlines_for,
)
from agreements.services.commitments import (  # noqa: F401
    commitment_adopt,
    commitment_create,
    commitment_delete,
    commitment_dispute,
    commitment_resolve_dispute,
    commitment_update,
)
from agreements.services.common import (  # noqa: F401
    without_mail,
)
from agreements.services.monitoring import (  # noqa: F401
    report_approve,
    report_comment,
    report_return,
    report_save_draft,
    report_submit,
)
from agreements.services.reminders import (  # noqa: F401
    reminders_send,
)
