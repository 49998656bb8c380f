"""Task-oriented forms of the plan office. Writes go through ``plan.services``; the forms only parse and check."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.plan.models import (
    Action,
    ActionKind,
    GovernanceBody,
    Indicator,
    Measurement,
    PlanVersion,
    VersionKind,
)
from cittasmart.plan.services import ACTION_FIELDS, MEASUREMENT_FIELDS, VERSION_FIELDS, action_code_suggest
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.models import SurveyRecord

# How many survey records the action form offers at most (besides those already linked).
RECORD_CHOICES_LIMIT = 200


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VersionCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=VersionKind.choices, initial=VersionKind.UPDATE_NOTE)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=40,
        help_text=_("Stable address of the version, for example 2022. Letters, numbers and hyphens."),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if self.plan is not None and self.plan.versions.filter(slug=slug).exists():
            raise forms.ValidationError(_("Another version already has this address."))
        return slug


class VersionForm(forms.ModelForm):
    class Meta:
        model = PlanVersion
        fields = [*VERSION_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "documents": forms.Textarea(attrs={"rows": 4}),
            "approval_date": DateInput(),
        }


class RecordChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} — {obj.owner.name} ({obj.get_reference_ambito_display()}, {obj.round.year})"


class ActionForm(forms.ModelForm):
    ambiti = forms.MultipleChoiceField(
        label=_("Domains"), choices=Ambito.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner stakeholders"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    survey_records = RecordChoiceField(
        label=_("Survey records"),
        queryset=SurveyRecord.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "Validated records of the survey. The list offers the records already linked and those of the "
            "action's domains; save the domains first to see the records of a new domain."
        ),
    )

    class Meta:
        model = Action
        fields = [*ACTION_FIELDS]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "actual_start": DateInput(),
            "actual_end": DateInput(),
        }

    def __init__(self, *args, version: PlanVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["code"].required = False
        self.fields["code"].help_text = _(
            "PR-V<n> for a vertical action, PR-TRA<n> for a transversal one. Leave empty for the next free code."
        )
        self.fields["objective"].queryset = version.objectives.all()
        self.fields["governance_body"].queryset = GovernanceBody.objects.order_by("order", "name")
        self.fields["responsible"].queryset = Organisation.objects.order_by("name")
        action = self.instance if self.instance.pk else None
        linked_ids = []
        if action is not None:
            self.fields["ambiti"].initial = [a.ambito for a in action.ambiti.all()]
            self.fields["partners"].initial = [o.pk for o in action.partners.all()]
            linked_ids = list(action.survey_records.values_list("pk", flat=True))
            self.fields["survey_records"].initial = linked_ids
        elif not self.is_bound:
            kind = self.initial.get("kind") or ActionKind.VERTICAL
            self.initial.setdefault("kind", kind)
            self.initial.setdefault("code", action_code_suggest(version=version, kind=kind))
        validated = SurveyRecord.objects.filter(is_validated=True).select_related("owner", "round")
        self.fields["survey_records"].queryset = validated
        ambiti = self.fields["ambiti"].initial or []
        offered = validated.filter(Q(pk__in=linked_ids) | Q(reference_ambito__in=ambiti)).order_by(
            "reference_ambito", "title", "id"
        )[: RECORD_CHOICES_LIMIT + len(linked_ids)]
        field = self.fields["survey_records"]
        field.choices = [(r.pk, field.label_from_instance(r)) for r in offered]

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not data.get("code") and kind:
            data["code"] = action_code_suggest(version=self.version, kind=kind)
            self.instance.code = data["code"]
        code = data.get("code")
        if code:
            others = self.version.actions.filter(code=code)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("code", _("Another action of this version has this code."))
        if data.get("progress_override") is not None and not (data.get("progress_reason") or "").strip():
            self.add_error("progress_reason", _("Say why the progress is set by hand."))
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end cannot come before the planned start."))
        start, end = data.get("actual_start"), data.get("actual_end")
        if start and end and end < start:
            self.add_error("actual_end", _("The actual end cannot come before the actual start."))
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACTION_FIELDS}


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=250)
    due = forms.DateField(label=_("Due"), required=False, widget=DateInput())


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = [*MEASUREMENT_FIELDS]
        widgets = {"period_end": DateInput()}

    def __init__(self, *args, indicator: Indicator, **kwargs):
        kwargs.setdefault("instance", Measurement(indicator=indicator))
        super().__init__(*args, **kwargs)
        self.indicator = indicator

    def clean(self):
        data = super().clean()
        period = (data.get("period") or "").strip()
        if period and self.indicator.measurements.filter(period=period).exists():
            self.add_error("period", _("This indicator already has a measurement for this period."))
        if data.get("is_baseline") and self.indicator.measurements.filter(is_baseline=True).exists():
            self.add_error("is_baseline", _("This indicator already has a baseline."))
        if data.get("value") is None and data.get("target") is None:
            self.add_error(None, _("Give a value, a target or both."))
        return data
