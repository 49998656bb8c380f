from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.models import (
    FundingType,
    Invitation,
    PartnerRole,
    RecordKind,
    RecordStatus,
    SurveyRecord,
    SurveyRound,
)
from cittasmart.survey.services import GENERAL_FIELDS, RECORD_FIELDS, ROUND_FIELDS
from cittasmart.survey.validators import normalise_cup


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RoundForm(forms.ModelForm):
    conducted_by = forms.ModelMultipleChoiceField(
        label=_("Conducted by"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SurveyRound
        fields = [*ROUND_FIELDS]
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rounds = SurveyRound.objects.order_by("-year")
        if self.instance.pk:
            rounds = rounds.exclude(pk=self.instance.pk)
            self.fields["conducted_by"].initial = list(self.instance.conducted_by.all())
        self.fields["previous_round"].queryset = rounds


class InviteForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations to invite"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, survey_round: SurveyRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.exclude(
            survey_invitations__round=survey_round
        ).order_by("name")


class GeneralDataForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = list(GENERAL_FIELDS)
        widgets = {"general_notes": forms.Textarea(attrs={"rows": 4})}


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What must be fixed"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class RecordForm(forms.ModelForm):
    """One project or idea of the questionnaire (the kind comes from the section it is added to)."""

    impact_ambiti = forms.MultipleChoiceField(
        label=_("Domains it has an impact on"),
        choices=Ambito.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Besides the reference domain."),
    )

    class Meta:
        model = SurveyRecord
        fields = [f for f in RECORD_FIELDS if f not in ("kind", "update_of")]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "links": forms.Textarea(attrs={"rows": 3}),
            "planned_start": DateInput(),
            "planned_end": DateInput(),
            "actual_start": DateInput(),
            "actual_end": DateInput(),
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if self.instance.pk:
            self.fields["impact_ambiti"].initial = list(
                self.instance.impacts.values_list("ambito", flat=True)
            )
        if kind == RecordKind.IDEA:
            self.fields["status"].initial = RecordStatus.IDEA
            for name in ("actual_start", "actual_end"):
                del self.fields[name]

    def clean_cup(self):
        # Accept "h51b 1700 0110 007": the model validates the normalised form.
        return normalise_cup(self.cleaned_data.get("cup", ""))


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Registered organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    name = forms.CharField(label=_("or name of the partner"), max_length=200, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *PartnerRole.choices], required=False)

    def clean(self):
        data = super().clean()
        if (data.get("organisation") or data.get("name")) and not data.get("role"):
            self.add_error("role", _("Choose the role of this partner."))
        return data


class FundingForm(forms.Form):
    type = forms.ChoiceField(label=_("Source"), choices=[("", "—"), *FundingType.choices], required=False)
    programme = forms.CharField(label=_("Programme"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount (euro)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if (data.get("programme") or data.get("amount") is not None) and not data.get("type"):
            self.add_error("type", _("Choose the type of this funding source."))
        return data


PartnerFormSet = forms.formset_factory(PartnerForm, extra=2, max_num=20, validate_max=True)
FundingFormSet = forms.formset_factory(FundingForm, extra=2, max_num=20, validate_max=True)


def partners_from(formset) -> list[dict]:
    return [
        {
            "organisation": f.cleaned_data.get("organisation"),
            "name": f.cleaned_data.get("name", ""),
            "role": f.cleaned_data["role"],
        }
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get("role")
    ]


def funding_from(formset) -> list[dict]:
    return [
        {
            "type": f.cleaned_data["type"],
            "programme": f.cleaned_data.get("programme", ""),
            "amount": f.cleaned_data.get("amount"),
        }
        for f in formset.forms
        if f.cleaned_data and f.cleaned_data.get("type")
    ]
