"""Meetings in the Django admin.

Themes, tours and meetings (with their agenda, working groups and registration questions) are edited here; what a
page shows is rendered from the Markdown on save, as the services do. Seats are exact: fewer seats than the people
who already hold one are refused on the form, and when seats are raised the waitlist gets them at once
(``services.meeting_promote_waitlist``). Registrations and contributions are read-only: people register, cancel
and are checked in through the services; the only action offered here cancels through them, so the freed seats go
to the waitlist."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cittasmart.core.audit import log_action
from cittasmart.core.markup import render_markdown
from cittasmart.meetings import services
from cittasmart.meetings.models import (
    AgendaItem,
    Contribution,
    Meeting,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
    Theme,
    Tour,
    WorkingGroup,
)


class ReadOnlyMixin:
    """Shows everything, changes nothing: no add, change or delete through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _seats_raised(old: int | None, new: int | None) -> bool:
    """More seats than before (no limit counts as the most)."""
    if old is None:
        return False
    return new is None or new > old


def _refuse_fewer_seats(capacity: int | None, confirmed) -> None:
    if capacity is None:
        return
    count = confirmed.count()
    if capacity < count:
        raise ValidationError(
            _("%(count)d people already hold a seat: the seats cannot be fewer.") % {"count": count}
        )


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tour)
class TourAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "is_demo", "created_at"]
    list_filter = ["is_published", "is_demo"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisers", "themes"]

    def save_model(self, request, obj, form, change):
        obj.description_html = render_markdown(obj.description)
        super().save_model(request, obj, form, change)


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["starts_at", "title", "speakers"]
    extra = 0


class WorkingGroupForm(forms.ModelForm):
    class Meta:
        model = WorkingGroup
        fields = ["theme", "title", "capacity", "facilitators", "order"]

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if self.instance.pk:
            _refuse_fewer_seats(
                capacity,
                Registration.objects.filter(group=self.instance, status=RegistrationStatus.CONFIRMED),
            )
        return capacity


class WorkingGroupInline(admin.StackedInline):
    model = WorkingGroup
    form = WorkingGroupForm
    fields = ["theme", "title", "capacity", "facilitators", "order"]
    autocomplete_fields = ["facilitators"]
    extra = 0


class RegistrationQuestionInline(admin.TabularInline):
    model = RegistrationQuestion
    fields = ["label", "kind", "choices", "required", "order"]
    extra = 0


# Everything but the rendered HTML (``save_model`` renders it) and the date the report was published (the action
# "publish the report" sets it, through the service).
MEETING_FIELDS = [
    "tour",
    "process",
    "title",
    "slug",
    "summary",
    "description",
    "organisers",
    "venue_name",
    "address",
    "municipality",
    "territory",
    "latitude",
    "longitude",
    "online_url",
    "starts_at",
    "ends_at",
    "accessibility",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "is_published",
    "report",
    "is_demo",
]


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = MEETING_FIELDS

    def clean_capacity(self):
        capacity = self.cleaned_data.get("capacity")
        if self.instance.pk:
            _refuse_fewer_seats(
                capacity,
                Registration.objects.filter(meeting=self.instance, status=RegistrationStatus.CONFIRMED),
            )
        return capacity


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingForm
    list_display = [
        "title",
        "tour",
        "starts_at",
        "territory",
        "capacity",
        "confirmed",
        "waitlisted",
        "is_published",
        "is_demo",
    ]
    list_filter = ["is_published", "is_demo", "tour", "territory"]
    search_fields = ["title", "slug", "summary", "municipality", "venue_name"]
    list_select_related = ["tour"]
    date_hierarchy = "starts_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["tour", "process", "organisers"]
    readonly_fields = ["report_published_at", "created_at", "updated_at"]
    inlines = [AgendaItemInline, WorkingGroupInline, RegistrationQuestionInline]
    actions = ["publish_reports"]

    def get_queryset(self, request):
        confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
        waitlisted = Q(registrations__status=RegistrationStatus.WAITLISTED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count("registrations", filter=confirmed),
                waitlisted_count=Count("registrations", filter=waitlisted),
            )
        )

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("on the waitlist"), ordering="waitlisted_count")
    def waitlisted(self, obj):
        return obj.waitlisted_count

    def save_model(self, request, obj, form, change):
        obj.description_html = render_markdown(obj.description)
        obj.report_html = render_markdown(obj.report)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """After the groups are saved: if the meeting or a group has more seats, the waitlist gets them now."""
        super().save_related(request, form, formsets, change)
        if change and self._seats_were_raised(form, formsets):
            try:
                promoted = services.meeting_promote_waitlist(actor=request.user, meeting=form.instance)
            except PermissionDenied:
                self.message_user(
                    request,
                    _("Only the plan office gives new seats to the waitlist: nobody was promoted."),
                    messages.WARNING,
                )
                return
            if promoted:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d person on the waitlist got a seat.",
                        "%(count)d people on the waitlist got a seat.",
                        len(promoted),
                    )
                    % {"count": len(promoted)},
                    messages.SUCCESS,
                )

    @staticmethod
    def _seats_were_raised(form, formsets) -> bool:
        if "capacity" in form.changed_data and _seats_raised(
            form.initial.get("capacity"), form.cleaned_data.get("capacity")
        ):
            return True
        for formset in formsets:
            if formset.model is not WorkingGroup:
                continue
            for group_form in formset.initial_forms:
                if group_form in formset.deleted_forms or "capacity" not in group_form.changed_data:
                    continue
                if _seats_raised(group_form.initial.get("capacity"), group_form.cleaned_data.get("capacity")):
                    return True
        return False

    @admin.action(description=_("Publish the report of the selected meetings"))
    def publish_reports(self, request, queryset):
        published = 0
        for meeting in queryset:
            if meeting.report_is_published or not meeting.report.strip():
                continue
            try:
                services.report_publish(actor=request.user, meeting=meeting, report=meeting.report)
            except PermissionDenied:
                self.message_user(request, _("Only staff can do this."), messages.ERROR)
                return
            published += 1
        self.message_user(
            request,
            ngettext("%(count)d report published.", "%(count)d reports published.", published)
            % {"count": published},
            messages.SUCCESS,
        )


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "meeting",
        "group",
        "status",
        "queued_at",
        "checked_in_at",
        "is_demo",
    ]
    list_filter = ["status", "meeting", ("checked_in_at", admin.EmptyFieldListFilter), "is_demo"]
    search_fields = ["code", "name", "email", "organisation_name"]
    list_select_related = ["meeting", "group__theme"]
    date_hierarchy = "created_at"
    exclude = ["token"]  # signs the person's links: never shown
    actions = ["cancel_registrations"]

    @admin.action(description=_("Cancel the selected registrations"))
    def cancel_registrations(self, request, queryset):
        if not request.user.has_perm("meetings.manage", None):
            self.message_user(request, _("Only the plan office can do this."), messages.ERROR)
            return
        cancelled, promoted, skipped = 0, 0, 0
        for registration in queryset.select_related("meeting").order_by("pk"):
            try:
                freed = services.registration_cancel(registration=registration)
            except ValidationError:
                skipped += 1  # cancelled already, or the meeting is over
                continue
            log_action(
                request.user,
                "meetings.registration.cancelled",
                registration.meeting,
                {"registration": registration.pk, "promoted": [r.pk for r in freed]},
            )
            cancelled += 1
            promoted += len(freed)
        message = ngettext(
            "%(count)d registration cancelled.", "%(count)d registrations cancelled.", cancelled
        ) % {"count": cancelled}
        if promoted:
            message += " " + ngettext(
                "%(count)d person on the waitlist got a seat.",
                "%(count)d people on the waitlist got a seat.",
                promoted,
            ) % {"count": promoted}
        if skipped:
            message += " " + ngettext(
                "%(count)d was not cancelled (already cancelled, or the meeting is over).",
                "%(count)d were not cancelled (already cancelled, or the meeting is over).",
                skipped,
            ) % {"count": skipped}
        self.message_user(request, message, messages.SUCCESS if cancelled else messages.WARNING)


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "group",
        "attribution",
        "ambito",
        "recorded_by",
        "idea",
        "is_demo",
        "created_at",
    ]
    list_filter = ["attribution", "ambito", "group__meeting", "is_demo"]
    search_fields = ["text"]
    list_select_related = ["group__theme", "group__meeting", "recorded_by", "idea"]
    date_hierarchy = "created_at"
