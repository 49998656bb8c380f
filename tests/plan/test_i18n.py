from django.utils import translation

from cittasmart.plan.models import ActionStatus, BodyMember


def test_words_shared_with_other_sections_have_their_own_italian_meaning():
    with translation.override("it"):
        # "Dropped" is "not proposed again" in the survey comparison, "abandoned" for an action of the plan.
        assert str(ActionStatus.DROPPED.label) != translation.gettext("Dropped")
        assert str(ActionStatus.DROPPED.label) == translation.pgettext("status of a plan action", "Dropped")
        assert str(ActionStatus.DROPPED.label) != "Dropped"
        assert str(BodyMember._meta.get_field("until").verbose_name) != "to"
