"""Forms of the idea pages: an idea (with attachments), a comment, a report. They parse and check early; the
services check again and write."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.forms import MARKDOWN_HELP, MultipleFileField
from cittasmart.participation.attachments import validate_attachment
from cittasmart.participation.models import Idea, IdeaAttachment, Process, ReportReason
from cittasmart.stakeholders.models import Organisation


def organisations_for(user):
    """The organisations ``user`` acts for (has a membership in), by name."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name").distinct()


class HoneypotField(forms.CharField):
    """A field people do not see and bots fill in: filled, the form is refused with a generic error."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Leave this field empty"),
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            template_name="participation/_honeypot.html",
            **kwargs,
        )


HONEYPOT_ERROR = _("Your message could not be accepted. Please try again.")


class HoneypotMixin:
    honeypot_name = "website"

    def clean(self):
        cleaned = super().clean()
        if self.data.get(self.add_prefix(self.honeypot_name)):
            raise ValidationError(HONEYPOT_ERROR, code="honeypot")
        return cleaned


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for errors in exc.message_dict.values() for message in errors]
    return list(exc.messages)


class OrganisationChoiceMixin:
    """An optional "on behalf of" field with the organisations the person acts for, removed when there are none."""

    def _setup_organisation(self, user) -> None:
        organisations = organisations_for(user)
        if organisations.exists():
            field = self.fields["organisation"]
            field.queryset = organisations
        else:
            del self.fields["organisation"]


class IdeaForm(HoneypotMixin, OrganisationChoiceMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Your idea"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )
    ambito = forms.ChoiceField(label=_("Domain"), required=False)
    place_name = forms.CharField(
        label=_("Place (optional)"),
        max_length=200,
        required=False,
        help_text=_("A street, a square, a neighbourhood the idea is about."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (optional)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=_("In decimal degrees, for example 41.902782. Give both coordinates or neither."),
    )
    longitude = forms.DecimalField(
        label=_("Longitude (optional)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=_("In decimal degrees, for example 12.496366."),
    )
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Myself only"),
        help_text=_("An organisation you act for, if you write for it."),
    )
    attachments = MultipleFileField(label=_("Attachments (optional)"))
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Remove attachments"),
        queryset=IdeaAttachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = HoneypotField()

    def __init__(self, *args, process: Process, user, idea: Idea | None = None, **kwargs):
        self.process = process
        self.idea = idea
        super().__init__(*args, **kwargs)
        process_ambiti = process.ambiti_list
        labels = dict(Ambito.choices)
        values = process_ambiti or list(Ambito.values)
        self.fields["ambito"].choices = [("", _("Not stated"))] + [(v, labels[v]) for v in values]
        self._setup_organisation(user)
        self.fields["attachments"].help_text = _(
            "Up to %(count)d files: PNG, JPEG or WebP images or PDF documents, each at most %(size)d MB."
        ) % {"count": settings.ATTACHMENTS_PER_IDEA, "size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        existing = idea.attachments.all() if idea is not None else IdeaAttachment.objects.none()
        if idea is not None and existing:
            self.fields["remove_attachments"].queryset = existing
            self.fields["remove_attachments"].label_from_instance = lambda item: item.original_name
        else:
            del self.fields["remove_attachments"]

    @classmethod
    def initial_for(cls, idea: Idea) -> dict:
        return {
            "title": idea.title,
            "body": idea.body,
            "ambito": idea.ambito,
            "place_name": idea.place_name,
            "latitude": idea.latitude,
            "longitude": idea.longitude,
            "organisation": idea.organisation_id,
        }

    def clean_attachments(self):
        uploads = self.cleaned_data.get("attachments") or []
        errors = []
        for upload in uploads:
            try:
                validate_attachment(upload)
            except ValidationError as exc:
                errors.extend(_messages(exc))
        if errors:
            raise ValidationError(errors)
        return uploads

    def clean(self):
        cleaned = super().clean()
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        both_parsed = "latitude" not in self.errors and "longitude" not in self.errors
        if both_parsed and (latitude is None) != (longitude is None):
            self.add_error("latitude", _("Give both latitude and longitude, or neither."))
        uploads = cleaned.get("attachments") or []
        kept = 0
        if self.idea is not None:
            removed = cleaned.get("remove_attachments") or []
            kept = len(self.idea.attachments.all()) - len(removed)
        if uploads and kept + len(uploads) > settings.ATTACHMENTS_PER_IDEA:
            self.add_error(
                "attachments",
                _("At most %(count)d attachments per idea.") % {"count": settings.ATTACHMENTS_PER_IDEA},
            )
        return cleaned

    def service_fields(self) -> dict:
        """The idea fields as the services take them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "ambito": data.get("ambito") or "",
            "place_name": data.get("place_name") or "",
            "latitude": data.get("latitude"),
            "longitude": data.get("longitude"),
            "organisation": data.get("organisation"),
        }


class CommentForm(HoneypotMixin, OrganisationChoiceMixin, forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    organisation = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Myself only"),
    )
    website = HoneypotField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_organisation(user)


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting it?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything that helps the moderators understand the problem."),
    )
