from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.core.models import AccessibilityFeedback, SiteSettings


class AccessibilityFeedbackForm(forms.ModelForm):
    class Meta:
        model = AccessibilityFeedback
        fields = ["name", "email", "page_url", "message"]
        labels = {
            "name": _("Your name (optional)"),
            "email": _("Your e-mail (optional, to receive an answer)"),
            "page_url": _("Page where you found the problem (optional)"),
            "message": _("Describe the problem"),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError(_("Please describe the problem in at least 10 characters."))
        return message


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = [
            "instance_name",
            "tagline",
            "entity_name",
            "entity_url",
            "logo",
            "address",
            "email",
            "pec",
            "phone",
            "accessibility_email",
            "data_controller",
            "dpo_email",
        ]


def add_service_errors(form: forms.BaseForm, exc: forms.ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has it, else above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)
