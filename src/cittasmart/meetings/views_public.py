"""The public reading of meetings: the meetings and tours, a tour with the map of its stops, a meeting's page.
Nothing here writes."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cittasmart.core.maps import MapPoint, point_map
from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.core.registry import render_panels
from cittasmart.meetings import selectors
from cittasmart.meetings.models import MeetingTiming, Theme

PAGE_SIZE = 20
MAP_MARGIN = 0.08


class MeetingFilterForm(forms.Form):
    """The filters of a list of meetings, read from the query string: a value it does not offer is left out."""

    timing = forms.ChoiceField(
        label=_("When"), choices=[("", _("All")), *MeetingTiming.choices], required=False
    )
    territory = forms.ChoiceField(label=_("Territory"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)

    def __init__(self, *args, territories: list[str], themes: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [("", _("All the territories")), *[(t, t) for t in territories]]
        self.fields["theme"].choices = [("", _("All the themes")), *[(t.slug, t.name) for t in themes]]
        if not territories:
            del self.fields["territory"]
        if not themes:
            del self.fields["theme"]

    def filters(self, *, default_timing: str = "") -> selectors.MeetingFilters:
        self.is_valid()
        data = self.cleaned_data
        timing = data.get("timing") or ("" if "timing" in self.data else default_timing)
        return selectors.MeetingFilters(
            timing=timing, territory=data.get("territory") or "", theme=data.get("theme") or ""
        )


def _filter_form(request, *, tour=None) -> MeetingFilterForm:
    themes = (
        list(tour.themes.all())
        if tour is not None
        else list(Theme.objects.filter(working_groups__isnull=False).distinct())
    )
    return MeetingFilterForm(
        request.GET, territories=selectors.territories(user=request.user, tour=tour), themes=themes
    )


@require_GET
@cache_anonymous_page("meetings", "participation", "plan", "stakeholders", "survey", "documents")
def home(request):
    form = _filter_form(request)
    filters = form.filters(default_timing=MeetingTiming.UPCOMING)
    page = paginate(request, selectors.meeting_list(user=request.user, filters=filters), PAGE_SIZE)
    return render(
        request,
        "meetings/home.html",
        {
            "page": page,
            "filters": filters,
            "form": form,
            "tours": selectors.tour_list(user=request.user),
            "querystring": querystring_without_page(request),
            # Tours and meetings are edited in the Django admin, which only staff accounts may open.
            "may_manage": request.user.is_staff and request.user.has_perm("meetings.change_meeting"),
        },
    )


def stops_map(meetings):
    points = [
        MapPoint(
            title=meeting.title,
            subtitle=f"{meeting.municipality or meeting.territory} – {meeting.starts_at:%d/%m/%Y}",
            url=meeting.get_absolute_url(),
            latitude=float(meeting.latitude),
            longitude=float(meeting.longitude),
        )
        for meeting in meetings
        if meeting.has_location
    ]
    return point_map(points, margin=MAP_MARGIN) if points else None


@require_GET
@cache_anonymous_page("meetings", "participation", "plan", "stakeholders", "survey", "documents")
def tour(request, slug):
    tour = selectors.tour_get(slug=slug, user=request.user)
    form = _filter_form(request, tour=tour)
    filters = form.filters()
    meetings = list(selectors.meeting_list(user=request.user, tour=tour, filters=filters))
    upcoming = [meeting for meeting in meetings if not meeting.is_past]
    past = [meeting for meeting in meetings if meeting.is_past]
    return render(
        request,
        "meetings/tour.html",
        {
            "tour": tour,
            "filters": filters,
            "form": form,
            "upcoming": upcoming,
            "past": sorted(past, key=lambda m: m.starts_at, reverse=True),
            "map": stops_map(meetings),
            "is_filtered": any((filters.timing, filters.territory, filters.theme)),
        },
    )


@require_GET
@cache_anonymous_page("meetings", "participation", "plan", "stakeholders", "survey", "documents")
def meeting(request, slug):
    meeting = selectors.meeting_get(slug=slug, user=request.user)
    user = request.user
    groups = list(meeting.groups.all())
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "groups": groups,
            "may_register": user.has_perm("meetings.register", meeting),
            "my_registration": selectors.active_registration(meeting=meeting, user=user),
            "may_check_in": user.has_perm("meetings.check_in", meeting),
            "may_view_report": user.has_perm("meetings.view_report", meeting),
            "may_publish_report": user.has_perm("meetings.publish_report", meeting),
            "contribution_groups": [g for g in groups if user.has_perm("meetings.record_contributions", g)],
            "map": stops_map([meeting]),
            # Later apps add sections about the meeting (its documents in the library…).
            "panels": render_panels("meetings.meeting", request, meeting=meeting),
        },
    )
