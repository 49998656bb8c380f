import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cittasmart.core.models import AuditEntry
from cittasmart.plan import demo_governance, governance
from cittasmart.plan.models import BodyMember, Decision, GovernanceBody, GovernanceBodyKind
from tests.factories import (
    ActionFactory,
    GovernanceBodyFactory,
    GovernanceBodyKindFactory,
    OrganisationFactory,
    PlanFactory,
    PlanVersionFactory,
    publish,
)
from tests.helpers import reverse_en

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def kind(db):
    return GovernanceBodyKindFactory(name="Steering board")


# --- Services -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_body_save_creates_with_a_derived_slug_and_audits(plan_office, kind):
    body = governance.body_save(actor=plan_office, name="Cabina di regia", kind=kind, mandate="Steer.")
    other = governance.body_save(actor=plan_office, name="Cabina di regia", kind=kind)
    assert body.slug == "cabina-di-regia"
    assert other.slug == "cabina-di-regia-2"
    assert AuditEntry.objects.filter(code="plan.governance_body.created", object_id=str(body.pk)).exists()


@pytest.mark.django_db
def test_a_body_cannot_become_its_own_ancestor(plan_office, kind):
    top = GovernanceBodyFactory(kind=kind)
    middle = GovernanceBodyFactory(kind=kind, parent=top)
    bottom = GovernanceBodyFactory(kind=kind, parent=middle)
    with pytest.raises(ValidationError) as exc:
        governance.body_save(actor=plan_office, body=top, parent=bottom)
    assert "parent" in exc.value.error_dict
    with pytest.raises(ValidationError):
        governance.body_save(actor=plan_office, body=top, parent=top)
    top.refresh_from_db()
    assert top.parent is None
    # Moving a body under a sibling branch is fine.
    governance.body_save(actor=plan_office, body=bottom, parent=top)
    bottom.refresh_from_db()
    assert bottom.parent == top


@pytest.mark.django_db
@translation.override("en")
def test_delete_is_refused_with_children_actions_or_decisions(plan_office, kind):
    parent = GovernanceBodyFactory(kind=kind)
    child = GovernanceBodyFactory(kind=kind, parent=parent)
    with pytest.raises(ValidationError, match="report to it"):
        governance.body_delete(actor=plan_office, body=parent)

    ActionFactory(governance_body=child)
    with pytest.raises(ValidationError, match="in charge"):
        governance.body_delete(actor=plan_office, body=child)

    lonely = GovernanceBodyFactory(kind=kind)
    Decision.objects.create(body=lonely, date=TODAY, summary="Decided.")
    with pytest.raises(ValidationError, match="decisions"):
        governance.body_delete(actor=plan_office, body=lonely)
    assert GovernanceBody.objects.count() == 3

    empty = GovernanceBodyFactory(kind=kind)
    BodyMember.objects.create(body=empty, person_name="Someone")
    governance.body_delete(actor=plan_office, body=empty)
    assert not GovernanceBody.objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.filter(code="plan.governance_body.deleted").exists()


@pytest.mark.django_db
def test_a_member_needs_a_person_or_an_organisation(plan_office, kind):
    body = GovernanceBodyFactory(kind=kind)
    with pytest.raises(ValidationError) as exc:
        governance.member_save(
            actor=plan_office, body=body, person_name="  ", organisation=None, role="Chair"
        )
    assert "person_name" in exc.value.error_dict
    assert not BodyMember.objects.exists()
    by_org = governance.member_save(actor=plan_office, body=body, organisation=OrganisationFactory())
    by_name = governance.member_save(actor=plan_office, body=body, person_name="A. Person")
    assert {by_org.pk, by_name.pk} == set(BodyMember.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_member_dates_must_be_ordered(plan_office, kind):
    body = GovernanceBodyFactory(kind=kind)
    with pytest.raises(ValidationError) as exc:
        governance.member_save(actor=plan_office, body=body, person_name="X", since=TODAY, until=TODAY - DAY)
    assert "until" in exc.value.error_dict
    member = governance.member_save(actor=plan_office, body=body, person_name="X", since=TODAY)
    with pytest.raises(ValidationError):
        governance.member_end(actor=plan_office, member=member, until=TODAY - DAY)


@pytest.mark.django_db
def test_member_end_defaults_to_today_and_cannot_end_twice(plan_office, kind):
    body = GovernanceBodyFactory(kind=kind)
    member = governance.member_save(actor=plan_office, body=body, person_name="X", since=TODAY - 10 * DAY)
    governance.member_end(actor=plan_office, member=member)
    member.refresh_from_db()
    assert member.until == TODAY
    with pytest.raises(ValidationError):
        governance.member_end(actor=plan_office, member=member)
    assert AuditEntry.objects.filter(code="plan.body_member.ended").count() == 1


@pytest.mark.django_db
def test_decision_keeps_only_known_action_keys(plan_office, kind):
    body = GovernanceBodyFactory(kind=kind)
    action = ActionFactory()
    decision = governance.decision_save(
        actor=plan_office,
        body=body,
        date=TODAY,
        summary="Go.",
        action_keys=[str(action.key), str(action.key).upper()],
    )
    assert decision.action_keys == [str(action.key)]
    with pytest.raises(ValidationError):
        governance.decision_save(actor=plan_office, body=body, date=TODAY, summary="x", action_keys=["nope"])
    with pytest.raises(ValidationError):
        governance.decision_save(
            actor=plan_office,
            body=body,
            date=TODAY,
            summary="x",
            action_keys=["00000000-0000-0000-0000-000000000000"],
        )
    with pytest.raises(ValidationError):
        governance.decision_save(actor=plan_office, body=body, date=TODAY, summary="  ")
    assert Decision.objects.count() == 1


# --- Public page ----------------------------------------------------------------------------------------


def _structure(n_bodies: int):
    kinds = [GovernanceBodyKindFactory(name=f"Kind {i}") for i in range(3)]
    organisation = OrganisationFactory()
    bodies = []
    for i in range(n_bodies):
        parent = bodies[i // 3] if i else None
        body = GovernanceBodyFactory(kind=kinds[i % 3], parent=parent, name=f"Body number {i}")
        BodyMember.objects.create(body=body, person_name=f"Current {i}", role="Chair", since=TODAY - DAY)
        BodyMember.objects.create(body=body, organisation=organisation, role=f"Seat {i}")
        BodyMember.objects.create(
            body=body, person_name=f"Former {i}", since=TODAY - 100 * DAY, until=TODAY - 10 * DAY
        )
        Decision.objects.create(body=body, date=TODAY, summary=f"Decision {i}")
        bodies.append(body)
    return bodies


@pytest.mark.django_db
def test_public_page_shows_the_tree_members_and_decisions(client, kind):
    version = PlanVersionFactory(plan=PlanFactory())
    action = ActionFactory(version=version, code="PR-V9", title="Wi-Fi")
    publish(version)
    parent = GovernanceBodyFactory(kind=kind, name="Cabina di regia", mandate="Steer the plan.")
    child = GovernanceBodyFactory(
        kind=GovernanceBodyKindFactory(name="Technical committee"), name="Comitato tecnico", parent=parent
    )
    BodyMember.objects.create(body=child, person_name="Present Person", role="Chair", since=TODAY - DAY)
    BodyMember.objects.create(body=child, person_name="Gone Person", until=TODAY - DAY)
    Decision.objects.create(
        body=child,
        date=datetime.date(2020, 5, 4),
        summary="Approved the priorities.",
        action_keys=[str(action.key)],
    )

    response = client.get(reverse_en("plan:governance"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cabina di regia" in html and "Steer the plan." in html
    assert "Technical committee" in html
    # The child is nested inside the parent's list item, with a lower-level heading.
    assert html.index("Cabina di regia") < html.index("Comitato tecnico")
    assert f'<h2 id="body-{parent.slug}"' in html and f'<h3 id="body-{child.slug}"' in html
    current, past = html.index("Present Person"), html.index("Gone Person")
    assert current < past
    assert html.rfind("Past members", 0, past) > current  # the former member is listed under "past members"
    assert "Approved the priorities." in html
    assert f'href="{action.get_absolute_url()}"' in html


@pytest.mark.django_db
def test_public_page_links_only_actions_of_the_current_version(client, kind):
    old = PlanVersionFactory(plan=PlanFactory())
    dropped = ActionFactory(version=old, code="PR-V7")
    publish(old)
    body = GovernanceBodyFactory(kind=kind)
    Decision.objects.create(body=body, date=TODAY, summary="Old decision.", action_keys=[str(dropped.key)])
    newer = PlanVersionFactory(plan=old.plan, number=old.number + 1)
    publish(newer)
    html = client.get(reverse_en("plan:governance")).content.decode()
    assert dropped.get_absolute_url() not in html
    assert "no longer in the current plan" in html


@pytest.mark.django_db
@pytest.mark.parametrize("n_bodies", [3, 30])
def test_public_page_query_count_does_not_grow(client, django_assert_max_num_queries, n_bodies):
    version = PlanVersionFactory(plan=PlanFactory())
    bodies = _structure(n_bodies)
    for i, body in enumerate(bodies):
        action = ActionFactory(version=version, governance_body=body, code=f"PR-V{i + 1}")
        Decision.objects.create(body=body, date=TODAY, summary="Linked.", action_keys=[str(action.key)])
    publish(version)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("plan:governance"))
    assert response.status_code == 200
    assert response.content.decode().count("Linked.") == n_bodies


# --- Staff page -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_manage_page_is_for_staff_only(client, user, plan_office, administrator):
    url = reverse("plan:manage_governance")
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"].lower()
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "kind", "kind-name": "X"}).status_code == 403
    assert not GovernanceBodyKind.objects.filter(name="X").exists()
    for staff in (plan_office, administrator):
        client.force_login(staff)
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_staff_adds_and_edits_a_body(client, plan_office, kind):
    client.force_login(plan_office)
    url = reverse("plan:manage_governance")
    response = client.post(
        url,
        {
            "action": "body",
            "body-name": "Comitato",
            "body-kind": kind.pk,
            "body-order": 0,
            "body-mandate": "M",
        },
    )
    assert response.status_code == 302
    body = GovernanceBody.objects.get(name="Comitato")
    assert body.slug == "comitato"

    assert client.get(url, {"body": body.pk}).status_code == 200
    parent = GovernanceBodyFactory(kind=kind)
    response = client.post(
        url,
        {
            "action": "body",
            "pk": body.pk,
            "body-name": "Comitato tecnico",
            "body-kind": kind.pk,
            "body-parent": parent.pk,
            "body-slug": "comitato",
            "body-order": 2,
        },
    )
    assert response.status_code == 302
    body.refresh_from_db()
    assert (body.name, body.parent, body.order) == ("Comitato tecnico", parent, 2)


@pytest.mark.django_db
def test_staff_bad_input_answers_400_with_errors(client, plan_office, kind):
    client.force_login(plan_office)
    url = reverse("plan:manage_governance")
    top = GovernanceBodyFactory(kind=kind)
    child = GovernanceBodyFactory(kind=kind, parent=top)

    cases = [
        {"action": "body", "body-name": "", "body-kind": kind.pk, "body-order": 0},
        {
            "action": "body",
            "pk": top.pk,
            "body-name": "Top",
            "body-kind": kind.pk,
            "body-parent": child.pk,
            "body-slug": top.slug,
            "body-order": 0,
        },
        {"action": "body_delete", "pk": top.pk},
        {"action": "member", "member-body": top.pk, "member-person_name": "", "member-role": "Chair"},
        {
            "action": "member",
            "member-body": top.pk,
            "member-person_name": "X",
            "member-since": "2020-01-02",
            "member-until": "2020-01-01",
        },
        {"action": "member", "member-body": top.pk, "member-person_name": "X", "member-since": "not a date"},
        {"action": "decision", "decision-body": top.pk, "decision-date": "", "decision-summary": "x"},
        {
            "action": "decision",
            "decision-body": top.pk,
            "decision-date": "2020-01-01",
            "decision-summary": "x",
            "decision-action_keys": ["not-a-key"],
        },
        {"action": "member_end", "member": "999999"},
        {"action": "kind", "kind-name": kind.name, "kind-order": 0},
        {"action": "something else"},
        {},
    ]
    for data in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert b"alert-danger" in response.content, data
    assert GovernanceBody.objects.count() == 2
    top.refresh_from_db()
    assert top.parent is None
    assert not BodyMember.objects.exists() and not Decision.objects.exists()
    # Addresses of bodies that do not exist answer 404, never 500.
    assert client.post(url, {"action": "body_delete", "pk": "abc"}).status_code == 404
    assert client.get(url, {"body": "999999"}).status_code == 404


@pytest.mark.django_db
def test_staff_adds_ends_a_member_and_records_a_decision(client, plan_office, kind):
    client.force_login(plan_office)
    url = reverse("plan:manage_governance")
    version = PlanVersionFactory(plan=PlanFactory())
    action = ActionFactory(version=version, code="PR-TRA1")
    publish(version)
    body = GovernanceBodyFactory(kind=kind)
    organisation = OrganisationFactory()

    response = client.post(
        url,
        {
            "action": "member",
            "member-body": body.pk,
            "member-organisation": organisation.pk,
            "member-role": "Sindaco o suo delegato",
            "member-since": "2017-07-21",
        },
    )
    assert response.status_code == 302
    member = BodyMember.objects.get()
    assert (member.organisation, member.role, member.until) == (organisation, "Sindaco o suo delegato", None)

    response = client.post(url, {"action": "member_end", "member": member.pk, "until": ""})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.until == TODAY

    page = client.get(url).content.decode()
    assert str(action.key) in page  # the current version's actions are offered
    response = client.post(
        url,
        {
            "action": "decision",
            "decision-body": body.pk,
            "decision-date": "2021-02-25",
            "decision-summary": "Monitoring started.",
            "decision-action_keys": [str(action.key)],
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.action_keys == [str(action.key)] and decision.date == datetime.date(2021, 2, 25)

    response = client.post(url, {"action": "body_delete", "pk": body.pk})
    assert response.status_code == 400  # its decisions log keeps it
    other = GovernanceBodyFactory(kind=kind)
    assert client.post(url, {"action": "body_delete", "pk": other.pk}).status_code == 302
    assert not GovernanceBody.objects.filter(pk=other.pk).exists()


# --- Demo -----------------------------------------------------------------------------------------------


@pytest.fixture
def demo_organisations(db):
    """The organisations the stakeholders demo creates (its loader also needs the demo accounts)."""
    names = [demo_governance.COMUNE, demo_governance.PIN, demo_governance.CISPEL, demo_governance.ESTRA]
    return [OrganisationFactory(name=name) for name in names]


@pytest.mark.django_db
def test_demo_loader_is_idempotent(client, demo_organisations):
    assert demo_governance.load() > 0
    assert demo_governance.load() == 0
    assert set(GovernanceBodyKind.objects.values_list("name", flat=True)) >= set(demo_governance.KINDS)
    for body in GovernanceBody.objects.all():
        assert body.mandate.startswith("Esempio dimostrativo: ")
    assert all(not m.person_name for m in BodyMember.objects.all())  # roles, never named people
    assert BodyMember.objects.filter(
        organisation__name="Comune di Prato", role="Sindaco o suo delegato"
    ).exists()
    assert Decision.objects.count() >= 2
    assert client.get(reverse("plan:governance")).status_code == 200


@pytest.mark.django_db
def test_demo_links_decisions_to_actions_once_the_plan_exists(demo_organisations):
    demo_governance.load()
    version = PlanVersionFactory(plan=PlanFactory())
    action = ActionFactory(version=version, code="PR-TRA1")
    publish(version)
    assert demo_governance.load() == 1
    assert any(str(action.key) in d.action_keys for d in Decision.objects.all())
    assert demo_governance.load() == 0


@pytest.mark.parametrize("pk", ["²", "①", "9" * 5000])
def test_a_body_key_that_is_not_a_number_is_a_404(client, plan_office, kind, pk):
    # str.isdigit() accepts "²" and "①", which int() refuses (ValueError, a 500); int() refuses 5000 digits too.
    body = GovernanceBodyFactory(kind=kind)
    client.force_login(plan_office)

    assert (
        client.post(reverse("plan:manage_governance"), {"action": "body_delete", "pk": pk}).status_code == 404
    )
    assert client.get(reverse("plan:manage_governance"), {"body": pk}).status_code == 404
    assert GovernanceBody.objects.filter(pk=body.pk).exists()
