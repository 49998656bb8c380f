from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.opendata.models import ApiToken
from cittasmart.stakeholders.models import Organisation


class TokenIssueForm(forms.Form):
    """The plan office issues a token to an organisation, named after the system that will use it."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        help_text=_("The token writes only the indicators whose source is this organisation."),
        error_messages={"invalid_choice": _("Choose an organisation from the list.")},
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. the system using it."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name
