"""Indicator pages and the public accountability dashboard (read only)."""

from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from cittasmart.core.ambiti import Ambito
from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.plan import selectors
from cittasmart.plan.dashboard import (
    NO_AMBITO,
    TRACK_RULE,
    Track,
    action_filter_parse,
    action_progress_of,
    actions_filtered,
    dashboard_build,
    indicator_chart,
    indicator_series,
    indicators_on_track,
)
from cittasmart.plan.models import Measurement


@require_GET
@cache_anonymous_page("plan", "survey", "stakeholders")
def indicator(request, version, code):
    version = selectors.version_get(slug=version, user=request.user)
    indicator = selectors.indicator_get(version=version, code=code)
    measurements = Measurement.objects.filter(indicator=indicator).order_by("period_end", "id")
    series = indicator_series(indicator, measurements)
    return render(
        request,
        "plan/indicator.html",
        {
            "version": version,
            "indicator": indicator,
            "series": series,
            "chart": indicator_chart(series),
            "track_rule": TRACK_RULE,
            "has_demo": any(m.quality == "demo" for m in series.measurements),
        },
    )


@require_GET
@cache_anonymous_page("plan", "survey", "stakeholders")
def dashboard(request):
    version = selectors.current_version()
    if version is None:
        return render(request, "plan/dashboard.html", {"version": None})
    data = dashboard_build(version)
    flt, invalid = action_filter_parse(request.GET)
    track = request.GET.get("track", "")
    if track and track not in Track.values:
        track, invalid = "", True
    context = {
        "version": version,
        "dashboard": data,
        "filter": flt,
        "invalid_filter": invalid,
        "track": track,
        "track_label": Track.labels.get(track, ""),
        "track_rule": TRACK_RULE,
    }
    if flt.active:
        page = paginate(request, actions_filtered(version, flt))
        for action in page.object_list:
            action.progress = action_progress_of(action)
        context.update(
            page=page,
            querystring=querystring_without_page(request),
            filter_ambito_label=_ambito_label(flt.ambito),
            filter_status_label=dict(data.statuses).get(flt.status, ""),
        )
    if track:
        context["track_indicators"] = indicators_on_track(data.indicators, track)
    return render(request, "plan/dashboard.html", context)


def _ambito_label(slug: str) -> str:
    if slug == NO_AMBITO:
        return gettext("No domain")
    try:
        return str(Ambito(slug).label)
    except ValueError:
        return ""
