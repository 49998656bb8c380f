"""The pages of the people who run a meeting: check-in, attendance (page and CSV), the contributions and the minutes
of a working group, the report (editing it, and its public page), and the files of the minutes.

The meeting is fetched through ``selectors.meeting_get`` (404 when it is not visible), then the permission is asked
(403) before anything else is read; every write goes through ``meetings.services``, which checks it again and
writes the audit entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.downloads import attachment_response
from cittasmart.core.forms import add_service_errors
from cittasmart.core.forms import render_form_page as _render
from cittasmart.core.pagination import paginate, querystring_without
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.validators import parse_positive_int
from cittasmart.meetings import attendance as reads
from cittasmart.meetings import selectors, services
from cittasmart.meetings.forms_staff import (
    CheckInForm,
    ContributionFormSet,
    MinutesForm,
    ReportForm,
    more_rows_initial,
    row_options,
)
from cittasmart.meetings.models import Meeting, MinutesAttachment, Registration, WorkingGroup

CHECK_IN = "meetings.check_in"
VIEW_ATTENDANCE = "meetings.view_attendance"
RECORD = "meetings.record_contributions"
PUBLISH_REPORT = "meetings.publish_report"
VIEW_REPORT = "meetings.view_report"

# People arrive in a queue at the door: one person checks many in within a minute.
CHECKINS_PER_MINUTE = 120
ATTENDANCE_PAGE_SIZE = 100
CONTRIBUTIONS_PAGE_SIZE = 50


def _meeting(request, slug: str, perm: str | None = None) -> Meeting:
    meeting = selectors.meeting_get(slug=slug, user=request.user)
    if perm is not None:
        require_perm(request.user, perm, meeting)
    return meeting


def _group(request, meeting: Meeting, pk: int) -> WorkingGroup:
    """A working group of ``meeting`` (404 otherwise) that the person may record for (403 otherwise)."""
    group = next((group for group in meeting.groups.all() if group.pk == pk), None)
    if group is None:
        raise Http404
    require_perm(request.user, RECORD, group)
    return group


def _staff_nav(request, meeting: Meeting, current: str, group: WorkingGroup | None = None) -> dict:
    """What the links between the staff pages of a meeting need: which pages the person may open."""
    user = request.user
    return {
        "nav_current": current,
        "nav_group": group,
        "can_check_in": user.has_perm(CHECK_IN, meeting),
        "can_view_attendance": user.has_perm(VIEW_ATTENDANCE, meeting),
        "can_publish_report": user.has_perm(PUBLISH_REPORT, meeting),
        "recordable_groups": [g for g in meeting.groups.all() if user.has_perm(RECORD, g)],
    }


def _time(value) -> str:
    return formats.time_format(timezone.localtime(value), "H:i")


# --- Check-in -------------------------------------------------------------------------------------------


def _checked_in_message(registration: Registration, created: bool) -> str:
    values = {"name": registration.name, "group": registration.group}
    if not created:
        values["time"] = _time(registration.checked_in_at)
        if registration.group_id:
            return _("%(name)s (%(group)s) was already checked in at %(time)s.") % values
        return _("%(name)s was already checked in at %(time)s.") % values
    if registration.group_id:
        return _("Checked in: %(name)s, working group %(group)s.") % values
    return _("Checked in: %(name)s.") % values


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("meetings.checkin", per_minute=CHECKINS_PER_MINUTE)
def checkin(request, slug):
    """Check people in by their code, typed or scanned; the QR code of a registration opens this page with
    ``?code=`` filled in (a GET only shows whose code it is: the check-in is the button)."""
    meeting = _meeting(request, slug, CHECK_IN)
    url = reverse("meetings:checkin", kwargs={"slug": meeting.slug})
    form = CheckInForm()
    if request.method == "POST":
        op = request.POST.get("op", "checkin")
        if op == "undo":
            return _checkin_undo(request, meeting, url)
        if op != "checkin":
            return HttpResponseBadRequest(_("Unknown operation."))
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                registration, created = services.check_in(
                    actor=request.user, meeting=meeting, code=form.cleaned_data["code"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                message = _checked_in_message(registration, created)
                (messages.success if created else messages.warning)(request, message)
                return redirect(url)
    preview = None
    if request.method == "GET" and request.GET.get("code"):
        form = CheckInForm(initial={"code": request.GET["code"][:300]})
        preview = reads.registration_by_code(meeting, request.GET["code"][:300])
        preview = preview or False  # False: a code was given and matches nobody
    context = {
        "meeting": meeting,
        "form": form,
        "preview": preview,
        "figures": reads.figures(meeting),
        "recent": reads.recent_checkins(meeting),
        "page_title": _("Check-in"),
        **_staff_nav(request, meeting, "checkin"),
    }
    return _render(request, "meetings/checkin.html", context, form)


def _checkin_undo(request, meeting: Meeting, url: str):
    pk = parse_positive_int(request.POST.get("registration", ""))
    registration = (
        Registration.objects.filter(meeting=meeting, pk=pk, checked_in_at__isnull=False)
        .select_related("meeting")
        .first()
        if pk
        else None
    )
    if registration is None:
        messages.error(request, _("This person is not checked in: nothing to undo."))
        return redirect(url)
    registration.meeting = meeting  # with its groups and facilitators at hand, for the permission
    services.check_in_undo(actor=request.user, registration=registration)
    messages.success(request, _("The check-in of %(name)s has been undone.") % {"name": registration.name})
    return redirect(url)


# --- Attendance -----------------------------------------------------------------------------------------


@require_GET
@login_required
def attendance(request, slug):
    meeting = _meeting(request, slug, VIEW_ATTENDANCE)
    confirmed = paginate(request, reads.confirmed(meeting), ATTENDANCE_PAGE_SIZE)
    waitlist = paginate(request, reads.waitlist(meeting), ATTENDANCE_PAGE_SIZE, param="waitlist")
    waiting = [
        (position, registration)
        for position, registration in enumerate(waitlist.object_list, start=waitlist.start_index())
    ]
    context = {
        "meeting": meeting,
        "figures": reads.figures(meeting),
        "by_category": reads.by_category(meeting),
        "by_group": reads.by_group(meeting),
        "confirmed": confirmed,
        "waitlist": waitlist,
        "waiting": waiting,
        "confirmed_querystring": querystring_without(request, "page"),
        "waitlist_querystring": querystring_without(request, "waitlist"),
        "page_title": _("Attendance"),
        **_staff_nav(request, meeting, "attendance"),
    }
    return render(request, "meetings/attendance.html", context)


@require_GET
@login_required
def attendance_csv(request, slug):
    meeting = _meeting(request, slug, VIEW_ATTENDANCE)
    response = StreamingHttpResponse(reads.csv_lines(meeting), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{reads.csv_filename(meeting)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Contributions --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("meetings.contributions")
def contributions(request, slug, pk):
    """Record what was said in a working group, several contributions at a time; each becomes an idea of the
    meeting's process. "More rows" shows the rows again with empty ones after them, without saving."""
    meeting = _meeting(request, slug)
    group = _group(request, meeting, pk)
    url = reverse("meetings:contributions", kwargs={"slug": meeting.slug, "pk": group.pk})
    process = meeting.process
    can_record = process is not None and request.user.has_perm("participation.record_idea", process)
    formset, service_errors = None, []
    if can_record:
        options = row_options(meeting=meeting, group=group)
        kwargs = {"form_kwargs": {"options": options}}
        op = request.POST.get("op", "save") if request.method == "POST" else ""
        if op == "more":
            formset = ContributionFormSet(initial=more_rows_initial(request.POST), **kwargs)
        elif op == "save":
            formset = ContributionFormSet(request.POST, **kwargs)
            if formset.is_valid():
                rows = formset.rows()
                try:
                    recorded = services.contributions_record(actor=request.user, group=group, rows=rows)
                except ValidationError as exc:
                    service_errors = exc.messages
                except PermissionDenied as exc:
                    service_errors = [str(exc) or _("You may not record contributions here.")]
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d contribution recorded: it is now an idea of “%(process)s”.",
                            "%(count)d contributions recorded: they are now ideas of “%(process)s”.",
                            len(recorded),
                        )
                        % {"count": len(recorded), "process": process.title},
                    )
                    return redirect(url)
        elif op:
            return HttpResponseBadRequest(_("Unknown operation."))
        else:
            formset = ContributionFormSet(**kwargs)
    context = {
        "meeting": meeting,
        "group": group,
        "process": process,
        "can_record": can_record,
        "formset": formset,
        "service_errors": service_errors,
        "recorded": paginate(request, reads.group_contributions(group), CONTRIBUTIONS_PAGE_SIZE),
        "page_title": _("Contributions: %(group)s") % {"group": group},
        **_staff_nav(request, meeting, "contributions", group),
    }
    failed = bool(service_errors) or (formset is not None and formset.is_bound and not formset.is_valid())
    return render(request, "meetings/contributions.html", context, status=400 if failed else 200)


def _int(value) -> int | None:
    return parse_positive_int(value)


# --- Minutes --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("meetings.minutes")
def minutes(request, slug, pk):
    meeting = _meeting(request, slug)
    group = _group(request, meeting, pk)
    if request.method == "POST" and "remove" in request.POST:
        attachment = group.attachments.filter(pk=_int(request.POST["remove"])).first()
        if attachment is None:
            raise Http404
        services.minutes_attachment_remove(actor=request.user, attachment=attachment)
        messages.success(request, _("The attachment has been removed."))
        return redirect("meetings:minutes", slug=meeting.slug, pk=group.pk)
    form = MinutesForm(request.POST or None, request.FILES or None, initial={"minutes": group.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(
                actor=request.user,
                group=group,
                minutes=form.cleaned_data["minutes"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The minutes have been saved."))
            return redirect("meetings:minutes", slug=meeting.slug, pk=group.pk)
    context = {
        "meeting": meeting,
        "group": group,
        "attachments": list(group.attachments.all()),
        "form": form,
        "page_title": _("Minutes: %(group)s") % {"group": group},
        **_staff_nav(request, meeting, "minutes", group),
    }
    return _render(request, "meetings/minutes_form.html", context, form)


@require_GET
def minutes_attachment(request, pk):
    """A file of the minutes, only to who may read the meeting's report (everyone once it is published, the people
    running the meeting before); 404 otherwise, so that unpublished files do not show they exist. Always a
    download: the browser must not open it in the page or guess another type."""
    groups = WorkingGroup.objects.prefetch_related("facilitators")
    item = (
        MinutesAttachment.objects.select_related("group__meeting")
        .prefetch_related(Prefetch("group__meeting__groups", queryset=groups))
        .filter(pk=pk)
        .first()
    )
    if item is None or not request.user.has_perm(VIEW_REPORT, item.group.meeting):
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    return attachment_response(
        handle,
        content_type=item.content_type,
        filename=item.original_name,
        cache_control="private, max-age=3600",
    )


# --- Report ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("meetings.report")
def report_edit(request, slug):
    """Write the report of the meeting and publish it (with the minutes of every group), or take it back."""
    meeting = _meeting(request, slug, PUBLISH_REPORT)
    form = ReportForm(request.POST or None, initial={"report": meeting.report})
    if request.method == "POST":
        op = request.POST.get("op", "save")
        if op not in ("save", "publish", "unpublish"):
            return HttpResponseBadRequest(_("Unknown operation."))
        if form.is_valid():
            publish = {"publish": True, "unpublish": False, "save": meeting.report_is_published}[op]
            try:
                services.report_publish(
                    actor=request.user, meeting=meeting, report=form.cleaned_data["report"], publish=publish
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if op == "publish":
                    messages.success(request, _("The report is published, with the minutes of the groups."))
                elif op == "unpublish":
                    messages.success(request, _("The report is no longer public."))
                else:
                    messages.success(request, _("The report has been saved."))
                return redirect("meetings:report_edit", slug=meeting.slug)
    context = {
        "meeting": meeting,
        "form": form,
        "page_title": _("Edit the report"),
        **_staff_nav(request, meeting, "report_edit"),
    }
    return _render(request, "meetings/report_form.html", context, form)


@require_GET
def report(request, slug):
    """The public report: what happened, the minutes and contributions of every group, how many came. Before it is
    published only the people running the meeting see it, as a preview."""
    meeting = selectors.meeting_get(slug=slug, user=request.user)
    if not request.user.has_perm(VIEW_REPORT, meeting):
        raise Http404
    context = {
        "meeting": meeting,
        "groups": reads.report_groups(meeting),
        "figures": reads.figures(meeting),
        "page_title": _("Report"),
        **_staff_nav(request, meeting, "report"),
    }
    return render(request, "meetings/report.html", context)
