"""The registration form of a meeting: who you are, which working group, the meeting's own questions. It parses and
checks early; ``services.registration_create`` checks again and decides seat or waitlist."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cittasmart.meetings.models import Meeting, QuestionKind
from cittasmart.stakeholders.models import Organisation, OrganisationCategory


def group_label(group) -> str:
    """A group as offered in the form: its name and, when it has a limit, whether seats are left."""
    if group.capacity is None:
        return str(group)
    left = max(group.capacity - getattr(group, "confirmed_count", 0), 0)
    if left:
        return _("%(group)s (seats left: %(left)d)") % {"group": group, "left": left}
    return _("%(group)s (full: you will join the waitlist)") % {"group": group}


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Name and surname"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        help_text=_(
            "We send you a link to confirm the address: the registration counts once you confirm it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    group = forms.ModelChoiceField(
        label=_("Working group"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the working group you want to take part in.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organisation.objects.none(), required=False, empty_label=_("Myself")
    )
    organisation_name = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        help_text=_("The body, company or association you come from, if any."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    organisation_category = forms.ChoiceField(
        label=_("Sector (optional)"),
        choices=[("", _("Not stated")), *list(OrganisationCategory.choices)],
        required=False,
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice"),
        error_messages={"required": _("Please confirm that you have read the privacy notice.")},
    )

    def __init__(self, *args, meeting: Meeting, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.user = user if getattr(user, "is_authenticated", False) else None
        groups = list(meeting.groups.all())
        if groups:
            self.fields["group"].queryset = meeting.groups.all()
            self.fields["group"].label_from_instance = group_label
            # The groups are already at hand (with their seat counts): offer them without a new query.
            self.fields["group"].choices = [(group.pk, group_label(group)) for group in groups]
        else:
            del self.fields["group"]
        if self.user is not None:
            del self.fields["email"]
            self.fields["name"].initial = self.user.public_name
            organisations = (
                Organisation.objects.filter(memberships__user=self.user).order_by("name").distinct()
            )
            if organisations.exists():
                self.fields["organisation"].queryset = organisations
            else:
                del self.fields["organisation"]
        else:
            del self.fields["organisation"]
        self.fields["privacy"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("core:privacy"), _("Read the privacy notice")
        )
        for question in meeting.questions.all():
            name = f"q{question.pk}"
            if question.kind == QuestionKind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.label,
                    required=question.required,
                    choices=[("", _("Choose…"))] + [(choice, choice) for choice in question.choice_list],
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.label, required=question.required, max_length=500
                )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data.get("email", ""),
            "group": data.get("group"),
            "organisation": data.get("organisation"),
            "organisation_name": data.get("organisation_name", ""),
            "organisation_category": data.get("organisation_category", ""),
            "answers": {
                name[1:]: value for name, value in data.items() if name.startswith("q") and name[1:].isdigit()
            },
        }
