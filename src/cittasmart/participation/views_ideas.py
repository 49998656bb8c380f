"""The page of an idea and taking part in it: proposing and editing ideas (with similar ideas while writing),
supporting, following, commenting, reporting, and the permission-checked attachments.

Capabilities shown in the pages are asked with ``rules.has_perm`` like the services do, so that what a page offers
is exactly what the service will accept (superusers too follow phases and states)."""

import re
from collections.abc import Callable

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.forms import add_service_errors
from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.ratelimit import hit, rate_limit_writes
from cittasmart.core.validators import parse_positive_int
from cittasmart.participation import rules as participation_rules
from cittasmart.participation import selectors, services, similarity
from cittasmart.participation.forms import (
    CommentEditForm,
    CommentForm,
    IdeaForm,
    ReportForm,
    organisations_for,
)
from cittasmart.participation.models import (
    AttachmentKind,
    Capability,
    Comment,
    CommentStatus,
    Idea,
    IdeaAttachment,
    IdeaStatus,
    Process,
)
from cittasmart.participation.rules import sees_everything


def participation_limit(kind: str) -> Callable[[], int]:
    """The writes per person per minute of ``kind`` (``PARTICIPATION_RATE_LIMITS``), read at each request."""
    return lambda: settings.PARTICIPATION_RATE_LIMITS[kind]


SIMILAR_PER_MINUTE = 120
IDEA_FIELDS = ("title", "body", "ambito", "place_name", "latitude", "longitude", "organisation")


def _can(user, perm: str, obj=None) -> bool:
    return rules.has_perm(perm, user, obj)


# --- State of the buttons -------------------------------------------------------------------------------


def support_state(user, idea: Idea) -> dict:
    """What the support box of ``idea`` offers ``user``, and why not when it offers nothing."""
    supported = bool(getattr(idea, "supported_by_me", False))
    state = {
        "supported": supported,
        "can_add": not supported and _can(user, "participation.support_idea", idea),
        "can_remove": supported and _can(user, "participation.unsupport_idea", idea),
        "login_url": "",
        "reason": "",
    }
    if not getattr(user, "is_authenticated", False):
        state["login_url"] = _login_url(idea.get_absolute_url())
    elif not (state["can_add"] or state["can_remove"]):
        if not participation_rules.is_participant(user):
            state["reason"] = _("Your account cannot take part at the moment.")
        elif not participation_rules.idea_is_open(user, idea):
            state["reason"] = _("This idea is no longer open to supports.")
        elif not idea.process.allows(Capability.SUPPORT):
            state["reason"] = _("Supports are closed in this phase of the process.")
    return state


def follow_state(user, target: Process | Idea, *, following: bool | None = None) -> dict:
    """What the follow button of a process or an idea shows; for ``participation/_follow.html``."""
    if isinstance(target, Process):
        url = reverse("participation:process_follow", kwargs={"slug": target.slug})
        kind, page = "process", target.get_absolute_url()
        lookup = {"process": target}
    else:
        url = reverse("participation:idea_follow", kwargs={"slug": target.process.slug, "pk": target.pk})
        kind, page = "idea", target.get_absolute_url()
        lookup = {"idea": target}
    authenticated = getattr(user, "is_authenticated", False)
    if following is None:
        following = authenticated and selectors.is_following(user=user, **lookup)
    return {
        "url": url,
        "kind": kind,
        "following": following,
        "dom_id": f"follow-{kind}-{target.pk}",
        "login_url": "" if authenticated else _login_url(page),
        "message": "",
    }


def _login_url(next_url: str) -> str:
    return redirect_to_login(next_url).url


# --- The page of an idea --------------------------------------------------------------------------------


def _detail_context(
    request, process: Process, idea: Idea, *, comment_form=None, reply_form=None, reply_to=None
):
    user = request.user
    authenticated = user.is_authenticated
    privileged = sees_everything(user)
    moderator = _can(user, "participation.moderate")
    comments = selectors.idea_comments(idea=idea, user=user)
    may_report = _can(user, "participation.report") and idea.is_public
    any_reply = False
    for comment in comments:
        for item in [comment, *comment.thread_replies]:
            live = item.deleted_at is None and not item.is_hidden
            # Both permissions require a live comment (``rules.comment_is_live``).
            item.can_edit = _can(user, "participation.change_comment", item)
            item.can_delete = _can(user, "participation.delete_comment", item)
            item.can_report = (
                may_report and live and item.status == CommentStatus.PUBLISHED and item.author_id != user.pk
            )
            item.show_reason = item.is_hidden and (privileged or item.author_id == user.pk)
        comment.can_reply = _can(user, "participation.reply_comment", comment)
        any_reply = any_reply or comment.can_reply

    can_comment = _can(user, "participation.comment_idea", idea)
    if comment_form is None and can_comment:
        comment_form = CommentForm(user=user)
    comment_closed_reason = ""
    if not can_comment:
        if not authenticated:
            comment_closed_reason = ""
        elif idea.status == IdeaStatus.WITHDRAWN:
            comment_closed_reason = _("The author withdrew this idea: the discussion is closed.")
        elif not idea.is_public:
            comment_closed_reason = _("Comments open when the idea is public.")
        elif not participation_rules.is_participant(user):
            comment_closed_reason = _("Your account cannot take part at the moment.")
        else:
            comment_closed_reason = _("Comments are closed in this phase of the process.")

    return {
        "process": process,
        "idea": idea,
        "answer": selectors.answer_of(idea),
        "attachments": list(idea.attachments.all()),
        "show_attachments": not idea.is_hidden or privileged,
        "comments": comments,
        "comment_form": comment_form if can_comment else None,
        "comment_closed_reason": comment_closed_reason,
        "reply_form": reply_form,
        "reply_to": reply_to,
        "reply_organisations": list(organisations_for(user)) if any_reply else [],
        "login_url": _login_url(idea.get_absolute_url()),
        "support": support_state(user, idea),
        "follow": follow_state(user, idea),
        "is_author": idea.author_id == user.pk,
        "show_hidden_reason": idea.is_hidden and (privileged or idea.author_id == user.pk),
        "can_edit": _can(user, "participation.change_idea", idea),
        "can_withdraw": _can(user, "participation.withdraw_idea", idea),
        "can_answer": _can(user, "participation.answer_idea", idea),
        "can_moderate": moderator,
        "can_report": may_report and idea.author_id != user.pk,
    }


@require_GET
@cache_anonymous_page("participation", "plan", "stakeholders", "survey")
def idea_detail(request, slug, pk):
    process = selectors.process_get(slug=slug, user=request.user)
    idea = selectors.idea_get(process=process, pk=pk, user=request.user)
    return render(request, "participation/idea_detail.html", _detail_context(request, process, idea))


# --- Writing an idea ------------------------------------------------------------------------------------


def _similar_for(request, process: Process, *, title: str, body: str, idea: Idea | None):
    return similarity.similar_ideas(
        process=process,
        title=title[:150],
        body=body[:10000],
        user=request.user,
        exclude_pk=idea.pk if idea is not None else None,
    )


def _render_idea_form(request, process, idea, form, *, similar=None, checked=False, status=200):
    return render(
        request,
        "participation/idea_form.html",
        {
            "process": process,
            "idea": idea,
            "form": form,
            "similar": similar or [],
            "checked": checked,
            "files_dropped": checked and bool(request.FILES),
        },
        status=status,
    )


@rate_limit_writes("participation.idea", participation_limit("idea"))
def _idea_submit(request, *, process: Process, idea: Idea | None):
    """Save a submitted idea form (only real submissions count in the rate limit, not "check for similar")."""
    user = request.user
    form = IdeaForm(request.POST, request.FILES, process=process, user=user, idea=idea)
    status = 400
    if form.is_valid():
        files = request.FILES.getlist("attachments")
        try:
            if idea is None:
                saved = services.idea_create(user=user, process=process, files=files, **form.service_fields())
            else:
                removed = [item.pk for item in form.cleaned_data.get("remove_attachments") or []]
                saved = services.idea_update(
                    user=user, idea=idea, files=files, remove_attachments=removed, **form.service_fields()
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You cannot do this."))
            status = 403
        else:
            if saved.status == IdeaStatus.PENDING:
                messages.info(
                    request,
                    _("Thank you! Your idea will be public as soon as a moderator has reviewed it."),
                )
            elif idea is None:
                messages.success(request, _("Thank you! Your idea has been published."))
            else:
                messages.success(request, _("Your changes have been saved."))
            saved.process = process
            return redirect(saved)
    similar = _similar_for(
        request, process, title=request.POST.get("title", ""), body=request.POST.get("body", ""), idea=idea
    )
    return _render_idea_form(request, process, idea, form, similar=similar, status=status)


def _idea_form(request, *, process: Process, idea: Idea | None):
    user = request.user
    if request.method == "POST" and "check" not in request.POST:
        return _idea_submit(request, process=process, idea=idea)
    if request.method == "POST":
        # "Check for similar ideas" without JavaScript: the same form, filled as sent, with the panel.
        initial = {name: request.POST.get(name, "") for name in IDEA_FIELDS}
        form = IdeaForm(initial=initial, process=process, user=user, idea=idea)
        similar = _similar_for(request, process, title=initial["title"], body=initial["body"], idea=idea)
        return _render_idea_form(request, process, idea, form, similar=similar, checked=True)
    initial = IdeaForm.initial_for(idea) if idea is not None else None
    form = IdeaForm(initial=initial, process=process, user=user, idea=idea)
    return _render_idea_form(request, process, idea, form)


@require_http_methods(["GET", "POST"])
@login_required
def idea_create(request, slug):
    process = selectors.process_get(slug=slug, user=request.user)
    if not _can(request.user, "participation.add_idea", process):
        if not participation_rules.is_participant(request.user):
            messages.error(request, _("Your account cannot take part at the moment."))
        else:
            messages.error(request, _("Ideas cannot be proposed in this phase of the process."))
        return redirect(process)
    return _idea_form(request, process=process, idea=None)


@require_http_methods(["GET", "POST"])
@login_required
def idea_edit(request, slug, pk):
    process = selectors.process_get(slug=slug, user=request.user)
    idea = selectors.idea_get(process=process, pk=pk, user=request.user)
    if not _can(request.user, "participation.change_idea", idea):
        messages.error(
            request,
            _(
                "This idea can no longer be changed: it has been supported or commented, "
                "or the phase for proposing ideas is over."
            ),
        )
        return redirect(idea)
    return _idea_form(request, process=process, idea=idea)


@require_GET
@login_required
def similar(request, slug):
    """The panel of similar ideas for the text being written (htmx while typing)."""
    process = selectors.process_get(slug=slug, user=request.user)
    if not hit("participation.similar", request, SIMILAR_PER_MINUTE):
        return HttpResponse(status=429)
    exclude = request.GET.get("exclude", "")
    idea = None
    exclude_pk = parse_positive_int(exclude)
    if exclude_pk:
        idea = Idea(pk=exclude_pk)
    items = _similar_for(
        request, process, title=request.GET.get("title", ""), body=request.GET.get("body", ""), idea=idea
    )
    checked = bool(request.GET.get("title", "").strip() or request.GET.get("body", "").strip())
    return render(
        request,
        "participation/_similar.html",
        {"process": process, "similar": items, "checked": checked},
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.idea", participation_limit("idea"))
def idea_withdraw(request, slug, pk):
    process = selectors.process_get(slug=slug, user=request.user)
    idea = selectors.idea_get(process=process, pk=pk, user=request.user)
    if not _can(request.user, "participation.withdraw_idea", idea):
        messages.error(request, _("This idea cannot be withdrawn."))
        return redirect(idea)
    if request.method == "POST":
        try:
            services.idea_withdraw(user=request.user, idea=idea)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Your idea has been withdrawn. It stays readable, with its supports.")
            )
        return redirect(idea)
    return render(
        request,
        "participation/confirm.html",
        {
            "process": process,
            "idea": idea,
            "title": _("Withdraw your idea"),
            "question": _(
                "Withdraw “%(title)s”? It stays readable but can no longer be supported, commented or answered. "
                "This cannot be undone."
            )
            % {"title": idea.title},
            "action": request.path,
            "button": _("Withdraw the idea"),
            "cancel_url": idea.get_absolute_url(),
        },
    )


# --- Supports and follows -------------------------------------------------------------------------------


@require_POST
@login_required
@rate_limit_writes("participation.support", participation_limit("support"))
def idea_support(request, slug, pk):
    idea = selectors.idea_for_support(slug=slug, pk=pk, user=request.user)
    op = request.POST.get("op", "")
    if op not in ("add", "remove"):
        return HttpResponseBadRequest(_("Unknown operation."))
    error = False
    try:
        if op == "add":
            changed = services.support_add(user=request.user, idea=idea)
            message = _("Thank you for your support.") if changed else _("You already support this idea.")
        else:
            changed = services.support_remove(user=request.user, idea=idea)
            message = (
                _("Your support has been withdrawn.") if changed else _("You did not support this idea.")
            )
        idea.supported_by_me = op == "add"  # the services left the new count on ``idea``
    except PermissionDenied as exc:
        message, error = str(exc), True
    if request.htmx:
        return render(
            request,
            "participation/_support.html",
            {"idea": idea, "support": support_state(request.user, idea), "message": message, "error": error},
        )
    (messages.error if error else messages.success)(request, message)
    return redirect(idea)


def _follow(request, target: Process | Idea):
    following = request.POST.get("following", "") == "1"
    try:
        now = services.follow_set(user=request.user, target=target, following=following)
    except PermissionDenied as exc:
        if request.htmx:
            raise
        messages.error(request, str(exc))
        return redirect(target)
    if target.__class__ is Process:
        message = _("You follow this process now.") if now else _("You no longer follow this process.")
    else:
        message = _("You follow this idea now.") if now else _("You no longer follow this idea.")
    if request.htmx:
        state = follow_state(request.user, target, following=now)
        state["message"] = message
        return render(request, "participation/_follow.html", {"follow": state})
    messages.success(request, message)
    return redirect(target)


@require_POST
@login_required
@rate_limit_writes("participation.follow", participation_limit("support"))
def idea_follow(request, slug, pk):
    process = selectors.process_get(slug=slug, user=request.user)
    return _follow(request, selectors.idea_get(process=process, pk=pk, user=request.user))


@require_POST
@login_required
@rate_limit_writes("participation.follow", participation_limit("support"))
def process_follow(request, slug):
    return _follow(request, selectors.process_get(slug=slug, user=request.user))


# --- Comments -------------------------------------------------------------------------------------------


@require_POST
@login_required
@rate_limit_writes("participation.comment", participation_limit("comment"))
def comment_create(request, slug, pk):
    process = selectors.process_get(slug=slug, user=request.user)
    idea = selectors.idea_get(process=process, pk=pk, user=request.user)
    parent = None
    parent_id = request.POST.get("parent", "")
    if parent_id:
        parent_pk = parse_positive_int(parent_id)
        if parent_pk is None:
            return HttpResponseBadRequest(_("Unknown comment."))
        parent = Comment.objects.filter(idea=idea, pk=parent_pk).first()
        if parent is None:
            raise Http404
        parent.idea = idea
    prefix_id = f"reply-{parent.pk}-%s" if parent is not None else "id_%s"
    form = CommentForm(request.POST, user=request.user, auto_id=prefix_id)
    if form.is_valid():
        try:
            comment = services.comment_create(
                user=request.user,
                idea=idea,
                body=form.cleaned_data["body"],
                parent=parent,
                organisation=form.cleaned_data.get("organisation"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if comment.status == CommentStatus.PENDING:
                messages.info(
                    request,
                    _("Thank you! Your comment will be public as soon as a moderator has reviewed it."),
                )
            else:
                messages.success(request, _("Your comment has been published."))
            comment.idea = idea
            return redirect(comment.get_absolute_url())
    context = _detail_context(
        request,
        process,
        idea,
        comment_form=form if parent is None else None,
        reply_form=form if parent is not None else None,
        reply_to=parent.pk if parent is not None else None,
    )
    return render(request, "participation/idea_detail.html", context, status=400)


def _comment_for(user, pk: int, *, live: bool = False) -> Comment:
    """The comment if ``user`` may see it (404 otherwise): its idea is visible to them, and the comment is
    published or theirs (moderators and staff see every comment). ``live``: not deleted or hidden either."""
    comment = Comment.objects.select_related("idea__process", "author", "organisation").filter(pk=pk).first()
    if comment is None or not user.has_perm("participation.view_idea", comment.idea):
        raise Http404
    if (
        comment.status != CommentStatus.PUBLISHED
        and comment.author_id != user.pk
        and not sees_everything(user)
    ):
        raise Http404
    if live and (comment.deleted_at is not None or comment.is_hidden):
        raise Http404
    return comment


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.comment", participation_limit("comment"))
def comment_edit(request, pk):
    comment = _comment_for(request.user, pk)
    if not _can(request.user, "participation.change_comment", comment):
        messages.error(request, _("This comment can no longer be changed."))
        return redirect(comment.get_absolute_url())
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.comment_update(user=request.user, comment=comment, body=form.cleaned_data["body"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your comment has been changed."))
                return redirect(comment.get_absolute_url())
    return render(
        request,
        "participation/comment_form.html",
        {
            "comment": comment,
            "idea": comment.idea,
            "process": comment.idea.process,
            "form": form,
            "edit_minutes": settings.COMMENT_EDIT_MINUTES,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.comment", participation_limit("comment"))
def comment_delete(request, pk):
    comment = _comment_for(request.user, pk)
    idea = comment.idea
    if not _can(request.user, "participation.delete_comment", comment):
        messages.error(request, _("This comment cannot be deleted."))
        return redirect(comment.get_absolute_url())
    if request.method == "POST":
        try:
            services.comment_delete(user=request.user, comment=comment)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your comment has been deleted."))
        return redirect(comment.get_absolute_url())
    return render(
        request,
        "participation/confirm.html",
        {
            "process": idea.process,
            "idea": idea,
            "title": _("Delete your comment"),
            "question": _("Delete your comment? Its text will be removed; the replies to it stay."),
            "quote": comment.body,
            "action": request.path,
            "button": _("Delete the comment"),
            "cancel_url": comment.get_absolute_url(),
        },
    )


# --- Reports --------------------------------------------------------------------------------------------


def _report(request, *, idea: Idea, comment: Comment | None = None):
    target = comment or idea
    if not _can(request.user, "participation.report", target):
        raise PermissionDenied
    back = comment.get_absolute_url() if comment is not None else idea.get_absolute_url()
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.report_create(
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    details=form.cleaned_data["details"],
                    idea=idea if comment is None else None,
                    comment=comment,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Thank you, the moderators will look at it."))
                return redirect(back)
    return render(
        request,
        "participation/report_form.html",
        {"process": idea.process, "idea": idea, "comment": comment, "form": form, "back": back},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.report", participation_limit("report"))
def idea_report(request, slug, pk):
    process = selectors.process_get(slug=slug, user=request.user)
    idea = selectors.idea_get(process=process, pk=pk, user=request.user)
    if not idea.is_public:
        raise Http404
    return _report(request, idea=idea)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("participation.report", participation_limit("report"))
def comment_report(request, pk):
    comment = _comment_for(request.user, pk, live=True)
    if comment.status != CommentStatus.PUBLISHED:
        raise Http404
    return _report(request, idea=comment.idea, comment=comment)


# --- Attachments ----------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/]")


@require_GET
def attachment(request, pk):
    """The file of an attachment, only to who may see its idea, and never of a hidden idea (except to moderators
    and staff). Images are shown inline, PDFs downloaded; the browser must not guess another type."""
    item = IdeaAttachment.objects.select_related("idea__process").filter(pk=pk).first()
    if item is None:
        raise Http404
    idea = item.idea
    user = request.user
    if not user.has_perm("participation.view_idea", idea) or (idea.is_hidden and not sees_everything(user)):
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    name = _UNSAFE_NAME.sub("_", item.original_name) or "file"
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=item.kind != AttachmentKind.IMAGE,
        filename=name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
