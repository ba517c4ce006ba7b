from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.AgreementListView.as_view(), name="list"),
    path("nieuw/", views.AgreementCreateView.as_view(), name="create"),
    path("beoordelen/", views.ReviewQueueView.as_view(), name="reviewer-queue"),
    path("termijnen/", views.CalendarView.as_view(), name="calendar"),
    path("<int:pk>/", views.AgreementDetailView.as_view(), name="detail"),
    path("<int:pk>/bewerken/", views.AgreementEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.agreement_transition, name="transition"),
    path("<int:pk>/ondertekenen/<int:party_pk>/", views.agreement_sign, name="sign"),
    path("<int:pk>/document/", views.agreement_document, name="document"),
    path("<int:pk>/wijziging/", views.amendment_open, name="amendment-open"),
    path("<int:pk>/geschiedenis/", views.AgreementHistoryView.as_view(), name="history"),
    path("<int:pk>/voortgang/", views.AgreementProgressView.as_view(), name="progress"),
    path("<int:pk>/export.xlsx", views.agreement_excel, name="excel"),
    path("<int:pk>/rapport.pdf", views.agreement_pdf, name="pdf"),
    path("<int:pk>/afspraken/nieuw/", views.CommitmentCreateView.as_view(), name="commitment-create"),
    path("wijziging/<int:pk>/vaststellen/", views.amendment_close, name="amendment-close"),
    path("afspraak/<int:pk>/", views.CommitmentDetailView.as_view(), name="commitment"),
    path("afspraak/<int:pk>/bewerken/", views.CommitmentEditView.as_view(), name="commitment-edit"),
    path("afspraak/<int:pk>/verwijderen/", views.CommitmentDeleteView.as_view(), name="commitment-delete"),
    path("afspraak/<int:pk>/geschil/", views.commitment_dispute, name="commitment-dispute"),
    path("afspraak/<int:pk>/geschil-opgelost/", views.commitment_resolve, name="commitment-resolve"),
    path("afspraak/<int:pk>/monitoring/<int:year>/", views.MonitoringFormView.as_view(), name="monitoring"),
    path("afspraak/<int:pk>/overnemen/", views.proposal_adopt, name="proposal-adopt"),
    path("monitoring/<int:pk>/beoordelen/", views.report_review, name="report-review"),
    path("monitoring/<int:pk>/opmerking/", views.report_comment, name="report-comment"),
    path("boden/", views.BodListView.as_view(), name="bod-list"),
    path("boden/nieuw/", views.BodCreateView.as_view(), name="bod-create"),
    path("boden/<int:pk>/", views.BodDetailView.as_view(), name="bod-detail"),
    path("boden/<int:pk>/bewerken/", views.BodEditView.as_view(), name="bod-edit"),
    path("boden/<int:pk>/indienen/", views.bod_submit, name="bod-submit"),
    path("boden/<int:pk>/voorstellen/nieuw/", views.ProposalCreateView.as_view(), name="proposal-create"),
]
