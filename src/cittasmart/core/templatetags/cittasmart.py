from django import template
from django.utils.html import format_html

register = template.Library()

PLAIN_WIDGETS = {"checkbox", "radioselect", "checkboxselectmultiple", "select", "selectmultiple"}


@register.simple_tag
def widget(field):
    """Render ``field``'s widget with the Bootstrap Italia class and its help and error ids."""
    attrs = {}
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.widget_type not in PLAIN_WIDGETS:
        existing = field.field.widget.attrs.get("class", "")
        attrs["class"] = f"{existing} form-control".strip()
        if field.errors:
            attrs["class"] += " is-invalid"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def icon(name, css_class="", label=""):
    """An icon from the Bootstrap Italia sprite; decorative unless a label is given."""
    from django.templatetags.static import static

    href = f"{static('svg/sprites.svg')}#{name}"
    if label:
        return format_html(
            '<svg class="icon {}" role="img" aria-label="{}"><use href="{}"></use></svg>',
            css_class,
            label,
            href,
        )
    return format_html(
        '<svg class="icon {}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
        css_class,
        href,
    )
