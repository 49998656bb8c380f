"""The governance structure: a public page drawn as nested lists, and one staff page to maintain it.

The staff page holds several small forms; each POST names what it does in a hidden ``action`` field. A successful
POST redirects back (post/redirect/get); bad input re-renders the page with the errors and status 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.forms import add_service_errors
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.core.validators import parse_positive_int
from cittasmart.plan import governance as services
from cittasmart.plan.forms_governance import BodyForm, DecisionForm, KindForm, MemberEndForm, MemberForm
from cittasmart.plan.models import BodyMember, Decision, GovernanceBody, GovernanceBodyKind
from cittasmart.plan.selectors import current_version


def _body_from(value) -> GovernanceBody | None:
    if value in (None, ""):
        return None
    pk = parse_positive_int(value)
    if pk is None:
        raise Http404
    body = GovernanceBody.objects.filter(pk=pk).first()
    if body is None:
        raise Http404
    return body


@require_GET
def governance(request):
    roots, version = services.governance_structure()
    return render(
        request,
        "plan/governance.html",
        {
            "roots": roots,
            "version": version,
            "can_manage": request.user.is_authenticated and request.user.has_perm("plan.manage_governance"),
        },
    )


# --- Staff ----------------------------------------------------------------------------------------------


def _post_kind(request, forms, version):
    form = forms["kind"] = KindForm(request.POST, prefix="kind")
    if form.is_valid():
        try:
            services.kind_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _("The kind of body has been added.")
    return None


def _post_body(request, forms, version):
    body = _body_from(request.POST.get("pk"))
    form = forms["body"] = BodyForm(request.POST, instance=body, prefix="body")
    forms["editing"] = body
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.body_save(actor=request.user, body=body, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _("The body has been saved.")
    return None


def _post_body_delete(request, forms, version):
    body = _body_from(request.POST.get("pk"))
    if body is None:
        raise Http404
    try:
        services.body_delete(actor=request.user, body=body)
    except ValidationError as exc:
        forms["errors"].extend(exc.messages)
        return None
    return _("The body has been deleted.")


def _post_member(request, forms, version):
    form = forms["member"] = MemberForm(request.POST, prefix="member")
    if form.is_valid():
        data = dict(form.cleaned_data)
        body = data.pop("body")
        try:
            services.member_save(actor=request.user, body=body, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _("The member has been added.")
    return None


def _post_member_end(request, forms, version):
    form = MemberEndForm(request.POST)
    if form.is_valid():
        try:
            services.member_end(
                actor=request.user, member=form.cleaned_data["member"], until=form.cleaned_data["until"]
            )
        except ValidationError as exc:
            forms["errors"].extend(exc.messages)
            return None
        return _("The membership has been ended.")
    for errors in form.errors.values():
        forms["errors"].extend(errors)
    return None


def _post_decision(request, forms, version):
    form = forms["decision"] = DecisionForm(request.POST, version=version, prefix="decision")
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.decision_save(actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _("The decision has been recorded.")
    return None


HANDLERS = {
    "kind": _post_kind,
    "body": _post_body,
    "body_delete": _post_body_delete,
    "member": _post_member,
    "member_end": _post_member_end,
    "decision": _post_decision,
}


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("plan.governance")
def manage_governance(request):
    require_perm(request.user, "plan.manage_governance")
    version = current_version()
    editing = _body_from(request.GET.get("body")) if request.method == "GET" else None
    forms = {
        "kind": KindForm(prefix="kind"),
        "body": BodyForm(instance=editing, prefix="body"),
        "editing": editing,
        "member": MemberForm(prefix="member", initial={"body": editing}),
        "decision": DecisionForm(version=version, prefix="decision", initial={"body": editing}),
        "errors": [],
    }
    status = 200
    if request.method == "POST":
        handler = HANDLERS.get(request.POST.get("action", ""))
        if handler is None:
            forms["errors"].append(_("Unknown request: nothing has been changed."))
            done = None
        else:
            done = handler(request, forms, version)
        if done:
            messages.success(request, done)
            return redirect("plan:manage_governance")
        status = 400

    today = timezone.localdate()
    bodies = GovernanceBody.objects.select_related("kind", "parent").annotate(
        member_count=Count("members", distinct=True), decision_count=Count("decisions", distinct=True)
    )
    members = BodyMember.objects.select_related("body", "organisation").order_by("body__name", "since", "id")
    context = {
        "kind_form": forms["kind"],
        "body_form": forms["body"],
        "member_form": forms["member"],
        "decision_form": forms["decision"],
        "editing": forms["editing"],
        "errors": forms["errors"],
        "version": version,
        "today": today,
        "kinds": GovernanceBodyKind.objects.annotate(body_count=Count("bodies")),
        "bodies": bodies,
        "members": members,
        "decisions": Decision.objects.select_related("body").order_by("-date", "-id")[:50],
    }
    return render(request, "plan/manage_governance.html", context, status=status)
