from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.meetings import views_calendar, views_public, views_registration, views_staff

app_name = "meetings"

urlpatterns = [
    # Public: meetings and tours, calendars, the report.
    path("", views_public.home, name="home"),
    path(_("tours/<slug:slug>/"), views_public.tour, name="tour"),
    path(_("tours/<slug:slug>/calendar.ics"), views_calendar.tour_ics, name="tour_ics"),
    path(_("my-registrations/"), views_registration.my_registrations, name="my_registrations"),
    path(_("my-registrations/calendar/<str:token>.ics"), views_calendar.my_ics, name="my_ics"),
    path(_("registrations/<str:token>/"), views_registration.registration, name="registration"),
    path(_("registrations/<str:token>/confirm/"), views_registration.confirm, name="registration_confirm"),
    path(_("registrations/<str:token>/cancel/"), views_registration.cancel, name="registration_cancel"),
    path(
        _("registrations/<str:token>/calendar.ics"), views_calendar.registration_ics, name="registration_ics"
    ),
    path(_("registrations/<str:token>/qr.svg"), views_calendar.registration_qr, name="registration_qr"),
    path(_("minutes/<int:pk>/"), views_staff.minutes_attachment, name="minutes_attachment"),
    path("<slug:slug>/", views_public.meeting, name="meeting"),
    path(_("<slug:slug>/calendar.ics"), views_calendar.meeting_ics, name="meeting_ics"),
    path(_("<slug:slug>/register/"), views_registration.register, name="register"),
    path(_("<slug:slug>/report/"), views_staff.report, name="report"),
    # Facilitators and staff: check-in, attendance, contributions, minutes, report.
    path(_("<slug:slug>/check-in/"), views_staff.checkin, name="checkin"),
    path(_("<slug:slug>/attendance/"), views_staff.attendance, name="attendance"),
    path(_("<slug:slug>/attendance.csv"), views_staff.attendance_csv, name="attendance_csv"),
    path(_("<slug:slug>/groups/<int:pk>/contributions/"), views_staff.contributions, name="contributions"),
    path(_("<slug:slug>/groups/<int:pk>/minutes/"), views_staff.minutes, name="minutes"),
    path(_("<slug:slug>/report/edit/"), views_staff.report_edit, name="report_edit"),
]
