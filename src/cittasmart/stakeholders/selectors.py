from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cittasmart.stakeholders.models import Membership, Organisation


def organisation_list(*, category: str = "", query: str = "") -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if category:
        organisations = organisations.filter(category=category)
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(description__icontains=query))
    return organisations.order_by("name")


def organisation_category_counts() -> dict[str, int]:
    rows = Organisation.objects.values("category").annotate(n=Count("id")).order_by()
    return {row["category"]: row["n"] for row in rows}


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def organisation_members(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by(
        "-role", "user__display_name", "user__email"
    )


def memberships_for_user(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def user_represents(*, user, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role="representative").exists()
