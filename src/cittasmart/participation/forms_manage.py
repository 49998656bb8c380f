"""Forms of the plan office: processes, phases, official answers. They parse and check early; the services check
again and write."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cittasmart.core.ambiti import Ambito
from cittasmart.core.forms import MARKDOWN_HELP
from cittasmart.participation import services
from cittasmart.participation.models import IdeaAnswer, Outcome, Phase, Process
from cittasmart.plan.models import Action, PlanVersion, VersionStatus
from cittasmart.stakeholders.models import Organisation

# The fields of a process the service sets one by one (ambiti and actions are passed apart).
PROCESS_FIELDS = (
    "title",
    "slug",
    "summary",
    "description",
    "organiser",
    "plan_version",
    "image",
    "image_alt",
    "is_published",
    "first_post_review",
)
PHASE_FIELDS = ("kind", "title", "description", "starts_on", "ends_on")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def action_label(action: Action) -> str:
    return f"{action.code} – {action.title} ({action.version.title})"


class ActionChoiceField(forms.ModelMultipleChoiceField):
    """Plan actions grouped by version (an ``<optgroup>`` each), labelled "code – title (version)"."""

    def label_from_instance(self, obj):
        return action_label(obj)

    def group(self, actions) -> None:
        groups: dict[int, tuple[str, list]] = {}
        for action in actions:
            label = action.version.title
            groups.setdefault(action.version_id, (label, []))[1].append(
                (action.pk, self.label_from_instance(action))
            )
        self.choices = list(groups.values())


class ProcessForm(forms.ModelForm):
    field_order = [
        "title",
        "slug",
        "summary",
        "description",
        "organiser",
        "ambiti",
        "plan_version",
        "actions",
        "image",
        "image_alt",
        "is_published",
        "first_post_review",
    ]
    ambiti = forms.MultipleChoiceField(
        label=_("Domains"), choices=Ambito.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    actions = ActionChoiceField(
        label=_("Plan actions"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Actions of the published versions of the plan that the process contributes to."),
    )

    class Meta:
        model = Process
        fields = [*PROCESS_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "slug": _(
                "The address of the process, for example agenda-digitale. Letters, numbers and hyphens."
            ),
            "description": MARKDOWN_HELP,
            "image_alt": _("What the image shows, for people who cannot see it. Required with an image."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        process = self.instance if self.instance.pk else None
        self.fields["organiser"].queryset = Organisation.objects.order_by("name")
        versions = PlanVersion.objects.filter(status=VersionStatus.PUBLISHED)
        linked_actions: list[int] = []
        if process is not None:
            self.fields["ambiti"].initial = [a.ambito for a in process.ambiti.all()]
            linked_actions = [a.pk for a in process.actions.all()]
            self.fields["actions"].initial = linked_actions
            if process.plan_version_id:
                versions = PlanVersion.objects.filter(
                    Q(status=VersionStatus.PUBLISHED) | Q(pk=process.plan_version_id)
                )
        self.fields["plan_version"].queryset = versions.order_by("-number")
        actions = (
            Action.objects.filter(Q(version__status=VersionStatus.PUBLISHED) | Q(pk__in=linked_actions))
            .select_related("version")
            .order_by("-version__number", "kind", "code")
        )
        field = self.fields["actions"]
        field.queryset = actions
        field.group(actions)

    def clean_slug(self):
        return self.cleaned_data["slug"].strip().lower()

    def clean(self):
        data = super().clean()
        # A new upload or the image already there; False when "clear" is ticked.
        if bool(data.get("image")) and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        return data

    def service_fields(self) -> dict:
        """The values to give ``services.process_save``, read from the instance the form filled in (the
        image field is handled there: kept, replaced or cleared)."""
        return {name: getattr(self.instance, name) for name in PROCESS_FIELDS}


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = [*PHASE_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The phase cannot end before it starts."))
        return data


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=pgettext_lazy("answer to an idea", "Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Answer"),
        max_length=IdeaAnswer._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )
    actions = ActionChoiceField(
        label=_("Plan actions"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "The actions of the published plan this idea fed or is already covered by. Required when the idea "
            "is accepted, partially accepted or already planned."
        ),
    )

    def __init__(self, *args, answer: IdeaAnswer | None = None, **kwargs):
        if answer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "outcome": answer.outcome,
                    "text": answer.text,
                    "actions": [a.pk for a in answer.actions.all()],
                },
            )
        super().__init__(*args, **kwargs)
        actions = services.answerable_actions()
        field = self.fields["actions"]
        field.queryset = actions
        field.group(actions)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write the answer."))
        return text
