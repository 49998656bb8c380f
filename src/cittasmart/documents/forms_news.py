"""Forms of the news: the filter of the public list, and the plan office's form to write a news item. They parse and
check early; ``services_news`` checks again and writes."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.forms import MARKDOWN_HELP
from cittasmart.documents.models import Document, NewsItem
from cittasmart.meetings.models import Meeting
from cittasmart.participation.models import Process
from cittasmart.plan.models import Action

# The fields of a news item the service sets one by one (domains and documents are passed apart).
NEWS_FIELDS = ("title", "summary", "body", "image", "image_alt", "meeting", "process", "action")
IMAGE_ACCEPT = "image/png,image/jpeg,image/webp"


class NewsFilterForm(forms.Form):
    """The filter of the list of news, read from the query string: an unknown domain is left out."""

    ambito = forms.ChoiceField(
        label=_("Domain"), choices=[("", _("All the domains")), *Ambito.choices], required=False
    )

    def chosen_ambito(self) -> str:
        return self.cleaned_data.get("ambito", "") if self.is_valid() else ""


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.title} ({formats.date_format(obj.date, 'SHORT_DATE_FORMAT')})"


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return f"{obj.title} ({formats.date_format(obj.starts_at, 'SHORT_DATE_FORMAT')})"


class ActionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Action) -> str:
        return f"{obj.code} – {obj.title} ({obj.version.title})"


class NewsForm(forms.ModelForm):
    field_order = [
        "title",
        "summary",
        "body",
        "ambiti",
        "image",
        "image_alt",
        "documents",
        "meeting",
        "process",
        "action",
    ]
    ambiti = forms.MultipleChoiceField(
        label=_("Domains"),
        choices=Ambito.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Who follows one of these domains is notified when the news is published."),
    )
    documents = DocumentChoiceField(
        label=_("Documents"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("A reserved document is shown only to the people who may read it."),
    )
    meeting = MeetingChoiceField(label=_("Meeting"), queryset=Meeting.objects.none(), required=False)
    process = forms.ModelChoiceField(
        label=_("Participation process"), queryset=Process.objects.none(), required=False
    )
    action = ActionChoiceField(label=_("Plan action"), queryset=Action.objects.none(), required=False)

    class Meta:
        model = NewsItem
        fields = [*NEWS_FIELDS]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 12}),
            "image": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        }
        help_texts = {
            "summary": _(
                "One or two sentences: they appear in the lists, on the home page and in the feeds."
            ),
            "body": MARKDOWN_HELP,
            "image": _("PNG, JPEG or WebP, at most 2 MB. Optional."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = Document.objects.order_by("-date", "-id")
        self.fields["meeting"].queryset = Meeting.objects.order_by("-starts_at", "-id")
        self.fields["process"].queryset = Process.objects.order_by("-created_at", "-id")
        self.fields["action"].queryset = Action.objects.select_related("version").order_by(
            "-version__number", "kind", "code"
        )
        if self.instance.pk:
            self.fields["ambiti"].initial = self.instance.ambito_list
            self.fields["documents"].initial = [d.pk for d in self.instance.documents.all()]

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        data = super().clean()
        # A new upload or the image already there; False when "clear" is ticked.
        if bool(data.get("image")) and not (data.get("image_alt") or "").strip():
            self.add_error(
                "image_alt",
                _(
                    "Describe the image for people who cannot see it: the text alternative is required "
                    "with an image."
                ),
            )
        return data

    def service_fields(self) -> dict:
        """The values to give ``services_news``, read from the instance the form filled in (the image is kept,
        replaced or cleared there)."""
        return {name: getattr(self.instance, name) for name in NEWS_FIELDS}
