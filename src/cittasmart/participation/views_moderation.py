"""The moderators' pages: the queue (reported, awaiting review, hidden), the page of one idea or comment with its
reports and the operations on it, the blocked people and the page of a person.

Only moderators get in (403 for everyone else, before anything is read). Every operation is a POST with an ``op``
field that calls one service; the services check the permission again and write the audit entry."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.forms import add_service_errors
from cittasmart.core.pagination import paginate
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.participation import moderation, services
from cittasmart.participation.forms_moderation import CONTENT_OPS, PERSON_OPS, content_forms, person_forms
from cittasmart.participation.models import Block, Comment, CommentStatus, Idea, IdeaStatus

MODERATE = "participation.moderate"
QUEUE_PAGE_SIZE = 25


# --- The queue ------------------------------------------------------------------------------------------


@require_GET
@login_required
def queue(request):
    require_perm(request.user, MODERATE)
    tab = request.GET.get("tab", "reported")
    if tab not in moderation.TABS:
        tab = "reported"
    rows = {
        "reported": moderation.reported_rows,
        "pending": moderation.pending_rows,
        "hidden": moderation.hidden_rows,
    }[tab]()
    page = paginate(request, rows, QUEUE_PAGE_SIZE)
    return render(
        request,
        "participation/moderation.html",
        {
            "tab": tab,
            "page": page,
            "items": moderation.queue_page(tab, page),
            "counts": moderation.queue_counts(),
            "querystring": f"tab={tab}",
        },
    )


# --- One idea or comment --------------------------------------------------------------------------------


def _content_context(request, *, idea: Idea | None, comment: Comment | None, forms=None) -> dict:
    target = idea or comment
    reports = paginate(request, moderation.reports_of(idea=idea, comment=comment), 50)
    pending = (
        idea.status == IdeaStatus.PENDING if idea is not None else comment.status == CommentStatus.PENDING
    )
    open_reports = moderation.open_reports().filter(idea=idea, comment=comment).count()
    return {
        "idea": idea,
        "comment": comment,
        "target": target,
        "author": target.author,
        "author_blocked": Block.objects.filter(user_id=target.author_id).exists(),
        "reports": reports,
        "open_reports": open_reports,
        "is_pending": pending,
        "forms": forms or content_forms(),
    }


def _content_op(request, *, idea: Idea | None, comment: Comment | None, page_url: str):
    """Run the operation of the POST on the idea or the comment; None when it succeeded (redirect), else the
    forms to show again with their errors."""
    op = request.POST.get("op", "")
    if op not in CONTENT_OPS:
        return HttpResponseBadRequest(_("Unknown operation."))
    forms = content_forms(request.POST, op=op)
    form = forms.get(op)
    target = {"idea": idea, "comment": comment}
    if form is not None and not form.is_valid():
        return forms
    try:
        if op == "hide":
            services.content_hide(actor=request.user, reason=form.cleaned_data["reason"], **target)
            messages.success(
                request, _("The content is hidden and its reports are closed; the author is told.")
            )
        elif op == "unhide":
            services.content_unhide(actor=request.user, reason=form.cleaned_data["reason"], **target)
            messages.success(request, _("The content is visible again; the author is told."))
        elif op == "dismiss":
            count = services.reports_dismiss(actor=request.user, **target)
            messages.success(request, _("Reports dismissed: %(count)d.") % {"count": count})
        elif op == "approve":
            services.first_post_approve(actor=request.user, **target)
            messages.success(request, _("The first post is published; the author is told."))
        elif op == "reject":
            services.first_post_reject(actor=request.user, reason=form.cleaned_data["reason"], **target)
            messages.success(
                request, _("The first post is not accepted and stays hidden; the author is told.")
            )
    except ValidationError as exc:
        if form is not None:
            add_service_errors(form, exc)
            return forms
        messages.error(request, " ".join(exc.messages))
    return redirect(page_url)


def _moderate(request, *, idea: Idea | None = None, comment: Comment | None = None):
    page_url = (
        reverse("participation:moderate_idea", kwargs={"pk": idea.pk})
        if idea is not None
        else reverse("participation:moderate_comment", kwargs={"pk": comment.pk})
    )
    forms = None
    if request.method == "POST":
        outcome = _content_op(request, idea=idea, comment=comment, page_url=page_url)
        if not isinstance(outcome, dict):
            return outcome
        forms = outcome
    context = _content_context(request, idea=idea, comment=comment, forms=forms)
    context["page_url"] = page_url
    status = 400 if forms and any(f.errors for f in forms.values()) else 200
    return render(request, "participation/moderate_item.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.moderate")
def idea_moderate(request, pk):
    require_perm(request.user, MODERATE)
    idea = get_object_or_404(Idea.objects.select_related("process", "author", "organisation"), pk=pk)
    return _moderate(request, idea=idea)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.moderate")
def comment_moderate(request, pk):
    require_perm(request.user, MODERATE)
    comment = get_object_or_404(
        Comment.objects.select_related("idea__process", "author", "organisation", "parent__author"), pk=pk
    )
    return _moderate(request, comment=comment)


# --- People ---------------------------------------------------------------------------------------------


@require_GET
@login_required
def blocks(request):
    require_perm(request.user, MODERATE)
    return render(request, "participation/blocks.html", {"page": paginate(request, moderation.block_list())})


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.moderate")
def person(request, pk):
    require_perm(request.user, MODERATE)
    person = get_object_or_404(get_user_model(), pk=pk)
    forms = None
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in PERSON_OPS:
            return HttpResponseBadRequest(_("Unknown operation."))
        forms = person_forms(request.POST, op=op)
        form = forms[op]
        if form.is_valid():
            try:
                if op == "block":
                    services.user_block(actor=request.user, user=person, reason=form.cleaned_data["reason"])
                    messages.success(request, _("The person is blocked from participating."))
                else:
                    services.user_unblock(actor=request.user, user=person, reason=form.cleaned_data["reason"])
                    messages.success(request, _("The block is lifted."))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("participation:moderate_person", pk=person.pk)
    context = {
        "person": person,
        "block": Block.objects.filter(user=person).select_related("blocked_by").first(),
        "ideas": paginate(request, moderation.person_ideas(user=person), param="ideas"),
        "comments": paginate(request, moderation.person_comments(user=person), param="comments"),
        "history": moderation.report_history_of_author(user=person),
        "forms": forms or person_forms(),
    }
    status = 400 if forms and any(f.errors for f in forms.values()) else 200
    return render(request, "participation/person.html", context, status=status)
