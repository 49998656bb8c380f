from django import forms
from django.core.validators import MaxLengthValidator
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

    # Typed identifiers may carry a country prefix, spaces or dashes ("IT 01234 567890"): their length is
    # checked after normalisation (by the model), not on what was typed.
    TYPED_MAX_LENGTH = 40

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("vat_number", "fiscal_code"):
            field = self.fields[name]
            field.max_length = self.TYPED_MAX_LENGTH
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs["maxlength"] = str(self.TYPED_MAX_LENGTH)

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
