"""Who may do what with meetings. Views, templates and services all ask these permissions.

Facilitators act on the meetings where they run a working group: they check people in there, record the
contributions and minutes of their own groups and publish the meeting's report. The plan office and the
administrators may do all of it everywhere, and manage tours and meetings."""

import rules

from cittasmart.core.roles import is_facilitator, is_staff_member
from cittasmart.meetings.models import Meeting, Tour, WorkingGroup


def _meeting_of(obj) -> Meeting | None:
    if isinstance(obj, Meeting):
        return obj
    if isinstance(obj, WorkingGroup):
        return obj.meeting
    return None


@rules.predicate
def is_published(user, obj) -> bool:
    if isinstance(obj, Tour):
        return obj.is_published
    meeting = _meeting_of(obj)
    return meeting is not None and meeting.is_published


@rules.predicate
def facilitates_meeting(user, obj) -> bool:
    """Runs one of the working groups of the meeting (the facilitators are usually prefetched)."""
    meeting = _meeting_of(obj)
    pk = getattr(user, "pk", None)
    if meeting is None or pk is None:
        return False
    return any(
        facilitator.pk == pk for group in meeting.groups.all() for facilitator in group.facilitators.all()
    )


@rules.predicate
def facilitates_group(user, group) -> bool:
    pk = getattr(user, "pk", None)
    return (
        isinstance(group, WorkingGroup)
        and pk is not None
        and any(facilitator.pk == pk for facilitator in group.facilitators.all())
    )


@rules.predicate
def registration_is_open(user, meeting) -> bool:
    return isinstance(meeting, Meeting) and meeting.registration_is_open()


@rules.predicate
def report_is_published(user, meeting) -> bool:
    return isinstance(meeting, Meeting) and meeting.is_published and meeting.report_is_published


runs_meeting = is_staff_member | (is_facilitator & facilitates_meeting)

rules.add_perm("meetings.view", is_published | is_staff_member)
rules.add_perm("meetings.register", registration_is_open)
rules.add_perm("meetings.view_report", report_is_published | runs_meeting)
rules.add_perm("meetings.check_in", runs_meeting)
rules.add_perm("meetings.view_attendance", runs_meeting)
rules.add_perm("meetings.record_contributions", is_staff_member | (is_facilitator & facilitates_group))
rules.add_perm("meetings.publish_report", runs_meeting)
rules.add_perm("meetings.manage", is_staff_member)
