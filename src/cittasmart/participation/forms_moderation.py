"""Forms of the moderators. Each operation is one small POST form with an ``op`` field; the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

REASON_MAX = 500

# The operations on an idea or a comment, and the service each one calls (in views_moderation).
CONTENT_OPS = ("hide", "unhide", "dismiss", "approve", "reject")
PERSON_OPS = ("block", "unblock")


class ReasonForm(forms.Form):
    """An operation with a reason. ``required`` says whether the reason may be left empty."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, op: str, label=None, help_text=None, required: bool = True, **kwargs):
        super().__init__(*args, prefix=op, **kwargs)
        self.op = op
        field = self.fields["reason"]
        field.required = required
        if label is not None:
            field.label = label
        if help_text is not None:
            field.help_text = help_text

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if self.fields["reason"].required and not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


def content_forms(data=None, *, op: str | None = None) -> dict[str, ReasonForm]:
    """The forms of the moderation page of an idea or a comment; ``data`` binds the one of ``op``."""
    specs = {
        "hide": {
            "label": _("Why is the content hidden?"),
            "help_text": _("The author receives this reason. The content is kept, only hidden."),
        },
        "unhide": {
            "label": _("Why is the content shown again?"),
            "help_text": _("The author receives this reason."),
        },
        "reject": {
            "label": _("Why is the first post not accepted?"),
            "help_text": _("The author receives this reason. The post stays hidden."),
        },
    }
    return {name: ReasonForm(data if name == op else None, op=name, **spec) for name, spec in specs.items()}


def person_forms(data=None, *, op: str | None = None) -> dict[str, ReasonForm]:
    specs = {
        "block": {
            "label": _("Why is the person blocked?"),
            "help_text": _(
                "Blocked people can still log in, read and export their data, but cannot propose, comment, "
                "support or report."
            ),
        },
        "unblock": {"label": _("Why is the block lifted? (optional)"), "required": False},
    }
    return {name: ReasonForm(data if name == op else None, op=name, **spec) for name, spec in specs.items()}
