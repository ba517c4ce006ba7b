"""Pages for prestatieafspraken: agreements, commitments, monitoring, review and the bod.

Every page starts from ``restrict()`` (through ``get_object_for`` or a selector); every
write goes to ``agreements.services``, which checks the workflow rules again.
"""

from agreements.views.agreements import (
    AgreementCreateView,
    AgreementDetailView,
    AgreementEditView,
    AgreementHistoryView,
    AgreementListView,
    AgreementProgressView,
    agreement_document,
    agreement_excel,
    agreement_pdf,
    agreement_sign,
    agreement_transition,
    amendment_close,
    amendment_open,
    chart_geometry,
    stand_labels,
)
from agreements.views.bod import (
    BodCreateView,
    BodDetailView,
    BodEditView,
    BodListView,
    ProposalCreateView,
    bod_submit,
    proposal_adopt,
)
from agreements.views.commitments import (
    CommitmentCreateView,
    CommitmentDeleteView,
    CommitmentDetailView,
    CommitmentEditView,
    commitment_dispute,
    commitment_resolve,
)
from agreements.views.monitoring import (
    CalendarView,
    MonitoringFormView,
    ReviewQueueView,
    report_comment,
    report_review,
)
from agreements.views.sections import (
    area_section,
    start_section,
)

__all__ = [
    "AgreementCreateView",
    "AgreementDetailView",
    "AgreementEditView",
    "AgreementHistoryView",
    "AgreementListView",
    "AgreementProgressView",
    "BodCreateView",
    "BodDetailView",
    "BodEditView",
    "BodListView",
    "CalendarView",
    "CommitmentCreateView",
    "CommitmentDeleteView",
    "CommitmentDetailView",
    "CommitmentEditView",
    "MonitoringFormView",
    "ProposalCreateView",
    "ReviewQueueView",
    "agreement_document",
    "agreement_excel",
    "agreement_pdf",
    "agreement_sign",
    "agreement_transition",
    "amendment_close",
    "amendment_open",
    "area_section",
    "bod_submit",
    "chart_geometry",
    "commitment_dispute",
    "commitment_resolve",
    "proposal_adopt",
    "report_comment",
    "report_review",
    "stand_labels",
    "start_section",
]
