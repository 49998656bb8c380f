from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.stakeholders.models import MembershipRole, Organisation, OrganisationCategory
from cittasmart.stakeholders.services import ORGANISATION_FIELDS
from cittasmart.stakeholders.validators import normalise_fiscal_code, normalise_ipa_code, normalise_vat_number


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *OrganisationCategory.choices],
    )


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    # Normalise before the model validators run, so "IT 0123..." or " C_A123 " are accepted.
    def clean_ipa_code(self):
        return normalise_ipa_code(self.cleaned_data.get("ipa_code", ""))

    def clean_vat_number(self):
        return normalise_vat_number(self.cleaned_data.get("vat_number", ""))

    def clean_fiscal_code(self):
        return normalise_fiscal_code(self.cleaned_data.get("fiscal_code", ""))


class MembershipForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
