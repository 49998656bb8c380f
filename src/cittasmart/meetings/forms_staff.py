"""Forms of the staff pages of a meeting: the check-in code, the rows of contributions of a working group, the
minutes with their attachments, the report. They parse and check early; ``meetings.services`` checks again and
writes.

The rows of contributions offer the meeting's participants and the organisations from lists read once for the
whole formset, so that the number of queries does not grow with the rows."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.forms import MARKDOWN_HELP, MultipleFileField
from cittasmart.meetings.models import (
    Attribution,
    Meeting,
    Registration,
    RegistrationStatus,
    WorkingGroup,
)
from cittasmart.stakeholders.models import Organisation

# Rows of contributions: shown empty at first, added by "more rows", at most in one submission.
EMPTY_ROWS = 5
MAX_ROWS = 60


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Registration code"),
        max_length=300,
        help_text=_(
            "The code of 8 letters and digits on the person's registration; spaces and small letters do not matter."
        ),
        error_messages={"required": _("Type the registration code.")},
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "enterkeyhint": "go",
                "class": "form-control-lg",
            }
        ),
    )


# --- Contributions --------------------------------------------------------------------------------------


@dataclass
class RowOptions:
    """What every row of contributions offers, read once: domains, participants, organisations."""

    ambiti: list = field(default_factory=list)
    registration_choices: list = field(default_factory=list)
    registrations: dict = field(default_factory=dict)
    organisation_choices: list = field(default_factory=list)
    organisations: dict = field(default_factory=dict)


def _person_label(registration: Registration) -> str:
    organisation = registration.organisation_name or (
        registration.organisation.name if registration.organisation_id else ""
    )
    return f"{registration.name} ({organisation})" if organisation else registration.name


def row_options(*, meeting: Meeting, group: WorkingGroup) -> RowOptions:
    """The choices of the rows: the process's domains (all of them when it names none), the confirmed participants
    of the meeting by name (those of ``group`` first) and the stakeholder organisations by name."""
    process_ambiti = meeting.process.ambiti_list if meeting.process_id else []
    ambiti = [
        (value, label) for value, label in Ambito.choices if not process_ambiti or value in process_ambiti
    ]
    registrations = list(
        Registration.objects.filter(meeting=meeting, status=RegistrationStatus.CONFIRMED)
        .select_related("organisation")
        .order_by(Lower("name"), "id")
    )
    own = [(str(r.pk), _person_label(r)) for r in registrations if r.group_id == group.pk]
    others = [(str(r.pk), _person_label(r)) for r in registrations if r.group_id != group.pk]
    if own and others:
        registration_choices = [(str(_("This working group")), own), (str(_("Other participants")), others)]
    else:
        registration_choices = own or others
    organisations = list(Organisation.objects.only("id", "name").order_by("name"))
    return RowOptions(
        ambiti=ambiti,
        registration_choices=registration_choices,
        registrations={r.pk: r for r in registrations},
        organisation_choices=[(str(o.pk), o.name) for o in organisations],
        organisations={o.pk: o for o in organisations},
    )


class ContributionRowForm(forms.Form):
    """One contribution; a row without text is left out."""

    text = forms.CharField(
        label=_("What was said"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ambito = forms.ChoiceField(label=_("Domain"), required=False)
    attribution = forms.ChoiceField(
        label=_("Said by"), choices=Attribution.choices, initial=Attribution.PARTICIPANT
    )
    registration = forms.ChoiceField(
        label=_("Participant"),
        required=False,
        help_text=_("When said by a registered participant."),
    )
    organisation = forms.ChoiceField(
        label=_("Organisation"),
        required=False,
        help_text=_("When said on behalf of an organisation."),
    )

    def __init__(self, *args, options: RowOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["ambito"].choices = [("", _("Not stated")), *options.ambiti]
        self.fields["registration"].choices = [
            ("", _("Choose the participant…")),
            *options.registration_choices,
        ]
        self.fields["organisation"].choices = [
            ("", _("Choose the organisation…")),
            *options.organisation_choices,
        ]

    def clean_text(self):
        return self.cleaned_data["text"].strip()

    def clean_registration(self):
        value = self.cleaned_data["registration"]
        return self.options.registrations.get(int(value)) if value else None

    def clean_organisation(self):
        value = self.cleaned_data["organisation"]
        return self.options.organisations.get(int(value)) if value else None

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text", "")
        attribution = cleaned.get("attribution")
        if not text:
            if cleaned.get("registration") or cleaned.get("organisation"):
                self.add_error(
                    "text", _("Write what was said, or clear the participant and the organisation.")
                )
            return cleaned
        if attribution == Attribution.PARTICIPANT and cleaned.get("registration") is None:
            self.add_error("registration", _("Choose the participant who said it."))
        elif attribution == Attribution.ORGANISATION and cleaned.get("organisation") is None:
            self.add_error("organisation", _("Choose the organisation on whose behalf it was said."))
        return cleaned

    def row(self) -> dict | None:
        """The row for ``services.contributions_record``; None for a row left empty."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("text"):
            return None
        return {
            "text": data["text"],
            "ambito": data.get("ambito", ""),
            "attribution": data["attribution"],
            "registration": data.get("registration"),
            "organisation": data.get("organisation"),
        }


class BaseContributionFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [row for row in (form.row() for form in self.forms) if row is not None]


ContributionFormSet = forms.formset_factory(
    ContributionRowForm,
    formset=BaseContributionFormSet,
    extra=EMPTY_ROWS,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)

ROW_FIELDS = ("text", "ambito", "attribution", "registration", "organisation")


def more_rows_initial(data, prefix: str = "form") -> list[dict]:
    """The rows typed so far (those with text), to show them again followed by empty rows."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), MAX_ROWS)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{prefix}-{index}-{name}", "") for name in ROW_FIELDS}
        if row["text"].strip():
            rows.append(row)
    return rows[: MAX_ROWS - EMPTY_ROWS]


# --- Minutes and report ---------------------------------------------------------------------------------


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    attachments = MultipleFileField(label=_("Add attachments (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "PDF documents or PNG, JPEG, WebP images (a photo of the flip chart), up to %(size)d MB each and "
            "%(count)d per group. They are published with the report."
        ) % {"size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024), "count": settings.ATTACHMENTS_PER_IDEA}


class ReportForm(forms.Form):
    report = forms.CharField(
        label=_("Report of the meeting"),
        required=False,
        max_length=20000,
        help_text=MARKDOWN_HELP,
        widget=forms.Textarea(attrs={"rows": 16}),
    )
