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


# --- Shared fields --------------------------------------------------------------------------------------

MARKDOWN_HELP = _(
    "You can format the text: *italic*, **bold**, lists with a dash at the start of each line, and links written "
    "as [text](https://…). HTML is not allowed."
)
# What an attachment may be (checked again from the content by ``participation.attachments``).
ACCEPTED_TYPES = "image/png,image/jpeg,image/webp,application/pdf"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type="file" multiple>``: a list, possibly empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_TYPES}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        uploads = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads if upload]


def render_form_page(request, template: str, context: dict, form=None):
    """A page with a form: status 400 when the form has errors, so that clients and tests see the refusal."""
    from django.shortcuts import render

    return render(request, template, context, status=400 if form is not None and form.errors else 200)
