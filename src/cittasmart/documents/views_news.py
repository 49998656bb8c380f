"""The news: the public list (by domain, with the button to follow a domain and the feeds), a news item's page, the
home page's card of the latest news, and the plan office's pages to write, publish and take back news.

A news item is fetched through ``selectors_news.news_for_user``: a draft answers 404 like a missing one to everyone
but the plan office. Every write goes through ``services_news``, which checks the permission again and writes the
audit entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.ambiti import AMBITI
from cittasmart.core.forms import add_service_errors
from cittasmart.core.forms import render_form_page as _render
from cittasmart.core.markup import render_markdown
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.redirects import back_to
from cittasmart.core.roles import is_staff_member
from cittasmart.documents import selectors_news, services_news
from cittasmart.documents.forms_news import NewsFilterForm, NewsForm
from cittasmart.documents.models import NewsItem
from cittasmart.participation.selectors import is_following

MANAGE = "documents.manage_news"
PAGE_SIZE = 12
STAFF_PAGE_SIZE = 30
HOME_COUNT = 3


def _ambito_info(slug: str):
    return next((info for info in AMBITI if info.slug == slug), None)


def feed_links(ambito: str = "") -> list[dict]:
    """The RSS and Atom feeds of the news (of one domain when given), for ``<link rel="alternate">`` and links."""
    query = f"?{urlencode({'ambito': ambito})}" if ambito else ""
    return [
        {"type": "application/rss+xml", "label": "RSS", "url": reverse("documents:news_feed_rss") + query},
        {"type": "application/atom+xml", "label": "Atom", "url": reverse("documents:news_feed_atom") + query},
    ]


def _follow_state(request, ambito: str) -> dict:
    """What the "Follow this domain" button of a list filtered by ``ambito`` shows."""
    here = request.get_full_path()
    if not request.user.is_authenticated:
        return {"login_url": redirect_to_login(here).url}
    return {
        "login_url": "",
        "following": is_following(user=request.user, ambito=ambito),
        "url": reverse("participation:ambito_follow"),
        "next": here,
    }


# --- Public pages ---------------------------------------------------------------------------------------


@require_GET
def news_list(request):
    form = NewsFilterForm(request.GET)
    ambito = form.chosen_ambito()
    page = paginate(request, selectors_news.news_published(ambito=ambito), PAGE_SIZE)
    return render(
        request,
        "documents/news_list.html",
        {
            "form": form,
            "page": page,
            "ambito": _ambito_info(ambito),
            "follow": _follow_state(request, ambito) if ambito else None,
            "feeds": feed_links(ambito),
            "querystring": querystring_without_page(request),
            "may_manage": request.user.has_perm(MANAGE),
        },
    )


def _links(user, news: NewsItem) -> list[dict]:
    """The meeting, process and plan action the news is about, each only when ``user`` may open it."""
    links = []
    meeting = news.meeting
    if (
        meeting is not None
        and user.has_perm("meetings.view", meeting)
        and (meeting.tour_id is None or meeting.tour.is_published or is_staff_member(user))
    ):
        links.append({"label": _("Meeting"), "title": meeting.title, "url": meeting.get_absolute_url()})
    process = news.process
    if process is not None and user.has_perm("participation.view_process", process):
        links.append(
            {"label": _("Participation process"), "title": process.title, "url": process.get_absolute_url()}
        )
    action = news.action
    if action is not None and user.has_perm("plan.view_version", action.version):
        links.append({"label": _("Plan action"), "title": str(action), "url": action.get_absolute_url()})
    return links


@require_GET
def news_detail(request, slug):
    news = selectors_news.news_for_user(user=request.user, slug=slug)
    return render(
        request,
        "documents/news_detail.html",
        {
            "news": news,
            "body_html": render_markdown(news.body),
            "documents": selectors_news.news_documents(user=request.user, news=news),
            "links": _links(request.user, news),
            "may_manage": request.user.has_perm(MANAGE),
        },
    )


def home_latest_news(request, **context) -> str:
    """The home page's panel (slot ``core.home``): the latest published news, or nothing when there is none."""
    latest = selectors_news.news_latest(limit=HOME_COUNT)
    if not latest:
        return ""
    return render_to_string("documents/_news_home.html", {"news_list": latest})


# --- Plan office ----------------------------------------------------------------------------------------


@require_GET
@login_required
def news_manage(request):
    require_perm(request.user, MANAGE)
    page = paginate(request, selectors_news.news_for_staff(), STAFF_PAGE_SIZE)
    return render(request, "documents/news_manage.html", {"page": page, "querystring": ""})


def _service_kwargs(form: NewsForm) -> dict:
    return {
        "ambiti": form.cleaned_data["ambiti"],
        "documents": form.cleaned_data["documents"],
        **form.service_fields(),
    }


def _op(request) -> str | None:
    op = request.POST.get("op", "save")
    return op if op in ("save", "publish") else None


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("documents.news")
def news_create(request):
    require_perm(request.user, MANAGE)
    form = NewsForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        op = _op(request)
        if op is None:
            return HttpResponseBadRequest(_("Unknown operation."))
        if form.is_valid():
            try:
                news = services_news.news_create(actor=request.user, **_service_kwargs(form))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if op == "publish":
                    services_news.news_publish(actor=request.user, news=news)
                    messages.success(request, _("The news is published."))
                else:
                    messages.success(request, _("The draft is saved: publish it when it is ready."))
                return redirect("documents:news_edit", slug=news.slug)
    return _render(request, "documents/news_form.html", {"form": form, "news": None}, form)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("documents.news")
def news_edit(request, slug):
    require_perm(request.user, MANAGE)
    news = selectors_news.news_for_staff_get(slug=slug)
    # The form fills its instance in as it validates: the page keeps showing the saved news.
    saved = NewsItem(pk=news.pk, slug=news.slug, title=news.title, published_at=news.published_at)
    form = NewsForm(request.POST or None, request.FILES or None, instance=news)
    if request.method == "POST":
        op = _op(request)
        if op is None:
            return HttpResponseBadRequest(_("Unknown operation."))
        if form.is_valid():
            try:
                news = services_news.news_update(actor=request.user, news=news, **_service_kwargs(form))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if op == "publish":
                    services_news.news_publish(actor=request.user, news=news)
                    messages.success(request, _("The news is saved and published."))
                else:
                    messages.success(request, _("The news is saved."))
                return redirect("documents:news_edit", slug=news.slug)
    return _render(request, "documents/news_form.html", {"form": form, "news": saved}, form)


@require_POST
@login_required
@rate_limit_writes("documents.news")
def news_publish(request, slug):
    """Publish the news (``op=publish``: its followers are told, the first time) or take it back
    (``op=unpublish``)."""
    require_perm(request.user, MANAGE)
    news = selectors_news.news_for_staff_get(slug=slug)
    op = request.POST.get("op", "")
    if op == "publish":
        services_news.news_publish(actor=request.user, news=news)
        messages.success(request, _("“%(title)s” is published.") % {"title": news.title})
    elif op == "unpublish":
        services_news.news_unpublish(actor=request.user, news=news)
        messages.success(
            request, _("“%(title)s” is a draft again: only the plan office sees it.") % {"title": news.title}
        )
    else:
        return HttpResponseBadRequest(_("Unknown operation."))
    return redirect(back_to(request, request.POST.get("next", ""), reverse("documents:news_manage")))
