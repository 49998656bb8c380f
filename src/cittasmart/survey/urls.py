from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.survey import views, views_catalogue, views_import, views_report

app_name = "survey"

urlpatterns = [
    # Public: the catalogue of validated records and the report of each published round.
    path("", views_catalogue.survey_home, name="home"),
    path(_("catalogue/"), views_catalogue.record_list, name="catalogue"),
    path(_("catalogue/<int:pk>/"), views_catalogue.record_detail, name="record_detail"),
    path(_("rounds/<slug:slug>/report/"), views_report.report, name="report"),
    path(_("rounds/<slug:slug>/report.csv"), views_report.report_csv, name="report_csv"),
    # Plan office: rounds, invitations, review, import and export.
    path(_("manage/"), views.round_list, name="round_list"),
    path(_("manage/new/"), views.round_create, name="round_create"),
    path(_("manage/<slug:slug>/"), views.round_detail, name="round_detail"),
    path(_("manage/<slug:slug>/edit/"), views.round_update, name="round_update"),
    path(_("manage/<slug:slug>/status/"), views.round_status, name="round_status"),
    path(_("manage/<slug:slug>/invite/"), views.round_invite, name="round_invite"),
    path(_("manage/<slug:slug>/import/"), views_import.import_records, name="import"),
    path(_("manage/<slug:slug>/export.<str:fmt>"), views_import.export_records, name="export"),
    path(_("review/<int:pk>/"), views.invitation_review, name="invitation_review"),
    # Respondents: the questionnaire of their organisation.
    path(_("questionnaires/"), views.my_invitations, name="my_invitations"),
    path(_("questionnaires/<int:pk>/"), views.questionnaire, name="questionnaire"),
    path(_("questionnaires/<int:pk>/general/"), views.questionnaire_general, name="questionnaire_general"),
    path(_("questionnaires/<int:pk>/records/new/<slug:kind>/"), views.record_create, name="record_create"),
    path(_("questionnaires/<int:pk>/records/<int:record_pk>/"), views.record_update, name="record_update"),
    path(
        _("questionnaires/<int:pk>/records/<int:record_pk>/delete/"),
        views.record_delete,
        name="record_delete",
    ),
    path(_("questionnaires/<int:pk>/submit/"), views.questionnaire_submit, name="questionnaire_submit"),
]
