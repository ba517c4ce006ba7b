from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.portfolio_index, name="index"),
    path("importeren/", views.ComplexImportView.as_view(), name="import"),
    path("importeren/sjabloon/", views.ImportTemplateView.as_view(), name="import-template"),
    path("importeren/<int:pk>/", views.import_detail, name="import-detail"),
    path("importeren/<int:pk>/voortgang/", views.import_status, name="import-status"),
    path("importeren/<int:pk>/doorzetten/", views.import_confirm, name="import-confirm"),
    path("complex/<int:pk>/", views.complex_detail, name="complex-detail"),
    path("complex/<int:pk>/strategie/", views.StrategyView.as_view(), name="strategy"),
    path("<slug:slug>/", views.portfolio_detail, name="detail"),
    path("<slug:slug>/projectie/", views.portfolio_projection, name="projection"),
    path("<slug:slug>/register.<str:fmt>", views.register_export, name="export"),
    path("<slug:slug>/drempels/", views.PortfolioSettingsView.as_view(), name="settings"),
    path("<slug:slug>/delen/", views.PortfolioShareView.as_view(), name="share"),
]
