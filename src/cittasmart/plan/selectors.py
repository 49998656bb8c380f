from django.http import Http404

from cittasmart.plan.models import Action, Indicator, Plan, PlanVersion, VersionStatus


def plan_get() -> Plan | None:
    """The instance's plan (the first one), or None before it is created."""
    return Plan.objects.order_by("id").first()


def current_version(*, plan: Plan | None = None) -> PlanVersion | None:
    """The newest published version: what the public reads as "the plan"."""
    plan = plan or plan_get()
    if plan is None:
        return None
    return plan.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def draft_version(*, plan: Plan | None = None) -> PlanVersion | None:
    plan = plan or plan_get()
    return plan.versions.filter(status=VersionStatus.DRAFT).first() if plan else None


def version_get(*, slug: str, user) -> PlanVersion:
    """A version the user may see; drafts are 404 for the public (their existence does not leak)."""
    version = PlanVersion.objects.select_related("plan").filter(slug=slug).first()
    if version is None or not user.has_perm("plan.view_version", version):
        raise Http404
    return version


def versions_visible(*, user):
    plan = plan_get()
    if plan is None:
        return PlanVersion.objects.none()
    versions = plan.versions.order_by("number")
    if not user.has_perm("plan.manage_plan"):
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    return versions


def action_get(*, version: PlanVersion, code: str) -> Action:
    action = (
        version.actions.select_related("objective", "responsible", "governance_body")
        .filter(code=code)
        .first()
    )
    if action is None:
        raise Http404
    return action


def indicator_get(*, version: PlanVersion, code: str) -> Indicator:
    indicator = version.indicators.select_related("action", "source_organisation").filter(code=code).first()
    if indicator is None:
        raise Http404
    return indicator
