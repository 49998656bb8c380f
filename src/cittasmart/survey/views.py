from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cittasmart.core.forms import add_service_errors
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.survey import selectors, services
from cittasmart.survey.forms import (
    FundingFormSet,
    GeneralDataForm,
    InviteForm,
    PartnerFormSet,
    RecordForm,
    ReturnForm,
    RoundForm,
    funding_from,
    partners_from,
)
from cittasmart.survey.models import RecordKind, RoundStatus

# --- Plan office ----------------------------------------------------------------------------------------


@require_GET
@login_required
def round_list(request):
    require_perm(request.user, "survey.manage_rounds")
    return render(request, "survey/round_list.html", {"rounds": selectors.round_list_for_staff()})


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.round")
def round_create(request):
    require_perm(request.user, "survey.manage_rounds")
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        conducted_by = list(data.pop("conducted_by"))
        survey_round = services.round_create(actor=request.user, conducted_by=conducted_by, **data)
        messages.success(request, _("The round has been created. Invite the organisations, then open it."))
        return redirect(survey_round)
    return render(request, "survey/round_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.round")
def round_update(request, slug):
    require_perm(request.user, "survey.manage_rounds")
    survey_round = selectors.round_get(slug=slug, user=request.user)
    form = RoundForm(request.POST or None, instance=selectors.round_get(slug=slug, user=request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        conducted_by = list(data.pop("conducted_by"))
        services.round_update(
            actor=request.user, survey_round=survey_round, conducted_by=conducted_by, **data
        )
        messages.success(request, _("The round has been saved."))
        return redirect(survey_round)
    return render(
        request,
        "survey/round_form.html",
        {"form": form, "survey_round": survey_round},
        status=400 if form.errors else 200,
    )


def _round_context(survey_round, invite_form) -> dict:
    return {
        "survey_round": survey_round,
        "invitations": selectors.round_invitations(survey_round=survey_round),
        "invite_form": invite_form,
        "transitions": sorted(services.ROUND_TRANSITIONS[RoundStatus(survey_round.status)]),
    }


@require_GET
@login_required
def round_detail(request, slug):
    require_perm(request.user, "survey.manage_rounds")
    survey_round = selectors.round_get(slug=slug, user=request.user)
    return render(
        request,
        "survey/round_detail.html",
        _round_context(survey_round, InviteForm(survey_round=survey_round)),
    )


@require_POST
@login_required
@rate_limit_writes("survey.round")
def round_status(request, slug):
    require_perm(request.user, "survey.manage_rounds")
    survey_round = selectors.round_get(slug=slug, user=request.user)
    try:
        survey_round = services.round_set_status(
            actor=request.user, survey_round=survey_round, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request, _("The round is now %(status)s.") % {"status": survey_round.get_status_display()}
        )
    return redirect(survey_round)


@require_POST
@login_required
@rate_limit_writes("survey.round")
def round_invite(request, slug):
    require_perm(request.user, "survey.manage_rounds")
    survey_round = selectors.round_get(slug=slug, user=request.user)
    form = InviteForm(request.POST, survey_round=survey_round)
    if form.is_valid():
        try:
            created = services.invitation_create(
                actor=request.user,
                survey_round=survey_round,
                organisations=list(form.cleaned_data["organisations"]),
                base_url=request.build_absolute_uri("/")[:-1],
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                ngettext("%(n)d organisation invited.", "%(n)d organisations invited.", len(created))
                % {"n": len(created)},
            )
        return redirect(survey_round)
    return render(request, "survey/round_detail.html", _round_context(survey_round, form), status=400)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.review")
def invitation_review(request, pk):
    require_perm(request.user, "survey.manage_rounds")
    invitation = selectors.invitation_get(pk=pk, user=request.user)
    return_form = ReturnForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "validate":
                services.invitation_validate(actor=request.user, invitation=invitation)
                messages.success(request, _("The questionnaire has been validated."))
                return redirect(invitation.round)
            if action == "return" and return_form.is_valid():
                services.invitation_return(
                    actor=request.user, invitation=invitation, comment=return_form.cleaned_data["comment"]
                )
                messages.success(request, _("The questionnaire has been returned with your comment."))
                return redirect(invitation.round)
        except ValidationError as exc:
            return_form.add_error(None, exc)
    return render(
        request,
        "survey/invitation_review.html",
        _questionnaire_context(invitation)
        | {
            "return_form": return_form,
            "events": invitation.events.select_related("actor"),
            "revisions": selectors.invitation_revisions(invitation=invitation),
        },
        status=400 if return_form.errors else 200,
    )


# --- Respondents ----------------------------------------------------------------------------------------


@require_GET
@login_required
def my_invitations(request):
    return render(
        request,
        "survey/my_invitations.html",
        {"invitations": selectors.invitations_for_user(user=request.user)},
    )


def _questionnaire_context(invitation) -> dict:
    projects = list(selectors.invitation_records(invitation=invitation, kind=RecordKind.PROJECT))
    ideas = list(selectors.invitation_records(invitation=invitation, kind=RecordKind.IDEA))
    return {
        "invitation": invitation,
        "projects": projects,
        "ideas": ideas,
        "sections": [
            (
                RecordKind.PROJECT.value,
                projects,
                2,
                _("Projects (ongoing or completed)"),
                _("No project yet."),
            ),
            (RecordKind.IDEA.value, ideas, 3, _("Ideas and future initiatives"), _("No idea yet.")),
        ],
        "missing": services.invitation_missing(invitation),
    }


@require_GET
@login_required
def questionnaire(request, pk):
    invitation = selectors.invitation_get(pk=pk, user=request.user)
    can_fill = request.user.has_perm("survey.fill_invitation", invitation)
    return render(
        request,
        "survey/questionnaire.html",
        _questionnaire_context(invitation)
        | {"can_fill": can_fill, "general_form": GeneralDataForm(instance=invitation)},
    )


def _fillable(request, pk):
    invitation = selectors.invitation_get(pk=pk, user=request.user)
    require_perm(request.user, "survey.fill_invitation", invitation)
    return invitation


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.questionnaire", per_minute=120)
def questionnaire_general(request, pk):
    invitation = _fillable(request, pk)
    form = GeneralDataForm(request.POST or None, instance=selectors.invitation_get(pk=pk, user=request.user))
    if request.method == "POST" and form.is_valid():
        services.invitation_save_general(actor=request.user, invitation=invitation, **form.cleaned_data)
        messages.success(request, _("The general data has been saved as a draft."))
        return redirect(invitation)
    return render(
        request,
        "survey/questionnaire_general.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


def _record_page(request, invitation, kind: str, record=None):
    form = RecordForm(request.POST or None, instance=record, kind=kind)
    partner_initial = (
        [{"organisation": p.organisation, "name": p.name, "role": p.role} for p in record.partners.all()]
        if record
        else []
    )
    funding_initial = (
        [{"type": f.type, "programme": f.programme, "amount": f.amount} for f in record.funding.all()]
        if record
        else []
    )
    partners = PartnerFormSet(request.POST or None, prefix="partners", initial=partner_initial)
    funding = FundingFormSet(request.POST or None, prefix="funding", initial=funding_initial)
    if request.method == "POST" and form.is_valid() and partners.is_valid() and funding.is_valid():
        data = dict(form.cleaned_data)
        impact = data.pop("impact_ambiti")
        try:
            services.record_save(
                actor=request.user,
                survey_round=invitation.round,
                owner=invitation.organisation,
                invitation=invitation,
                record=record,
                kind=kind,
                impact_ambiti=impact,
                partners=partners_from(partners),
                funding=funding_from(funding),
                **data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect(invitation)
    has_errors = bool(form.errors or partners.total_error_count() or funding.total_error_count())
    return render(
        request,
        "survey/record_form.html",
        {
            "invitation": invitation,
            "form": form,
            "partners": partners,
            "funding": funding,
            "kind": kind,
            "record": record,
        },
        status=400 if has_errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.questionnaire", per_minute=120)
def record_create(request, pk, kind):
    if kind not in RecordKind.values:
        raise Http404
    return _record_page(request, _fillable(request, pk), kind)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("survey.questionnaire", per_minute=120)
def record_update(request, pk, record_pk):
    invitation = _fillable(request, pk)
    record = selectors.record_for_invitation(invitation=invitation, record_pk=record_pk)
    return _record_page(request, invitation, record.kind, record)


@require_POST
@login_required
@rate_limit_writes("survey.questionnaire", per_minute=120)
def record_delete(request, pk, record_pk):
    invitation = _fillable(request, pk)
    record = selectors.record_for_invitation(invitation=invitation, record_pk=record_pk)
    services.record_delete(actor=request.user, record=record)
    messages.success(request, _("Removed from the questionnaire."))
    return redirect(invitation)


@require_POST
@login_required
@rate_limit_writes("survey.questionnaire", per_minute=120)
def questionnaire_submit(request, pk):
    invitation = _fillable(request, pk)
    try:
        services.invitation_submit(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Thank you: the questionnaire has been sent to the plan office."))
    return redirect(invitation)
