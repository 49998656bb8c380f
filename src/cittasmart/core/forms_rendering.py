"""One way to render forms: Bootstrap Italia markup with labels, help and errors tied by aria attributes."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
