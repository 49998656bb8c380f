"""Forms of the governance management page. Validation that needs the database lives in ``plan.governance``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.plan.models import BodyMember, GovernanceBody, GovernanceBodyKind, PlanVersion
from cittasmart.stakeholders.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class KindForm(forms.ModelForm):
    class Meta:
        model = GovernanceBodyKind
        fields = ["name", "order"]


class BodyForm(forms.ModelForm):
    class Meta:
        model = GovernanceBody
        fields = ["name", "kind", "parent", "mandate", "slug", "order"]
        widgets = {"mandate": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"slug": _("Leave empty to derive it from the name.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["parent"].empty_label = _("(none: top of the structure)")
        bodies = GovernanceBody.objects.order_by("name")
        if self.instance.pk:
            bodies = bodies.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = bodies


class MemberForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=GovernanceBody.objects.order_by("name"))
    person_name = forms.CharField(
        label=_("Person"),
        max_length=200,
        required=False,
        help_text=_("A person, an organisation or both."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    role = forms.CharField(label=_("Role"), max_length=120, required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if not data.get("person_name") and not data.get("organisation") and "organisation" not in self.errors:
            self.add_error("person_name", _("Give the name of a person, an organisation or both."))
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date cannot be before the start date."))
        return data


class MemberEndForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Membership"), queryset=BodyMember.objects.all(), widget=forms.HiddenInput
    )
    until = forms.DateField(
        label=_("Ended on"), required=False, widget=DateInput(), help_text=_("Leave empty for today.")
    )


class DecisionForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=GovernanceBody.objects.order_by("name"))
    date = forms.DateField(label=_("Date"), widget=DateInput())
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    action_keys = forms.MultipleChoiceField(
        label=_("Related actions"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Actions of the current version of the plan."),
    )

    def __init__(self, *args, version: PlanVersion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        actions = version.actions.order_by("kind", "code") if version is not None else []
        self.fields["action_keys"].choices = [(str(a.key), f"{a.code} – {a.title}") for a in actions]
