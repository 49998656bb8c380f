from django import forms
from django.utils.translation import gettext_lazy as _

from cittasmart.documents import files
from cittasmart.documents.models import Document, DocumentCategory, ReaderGroup
from cittasmart.stakeholders.models import Organisation

FILE_HELP = _(
    "PDF, OpenDocument (ODT, ODS), Word or Excel (DOCX, XLSX), CSV, PNG or JPEG; at most %(limit)s MB. "
    "The type is checked from the content: web pages, SVG images, programs and files with macros are refused."
)


class LibraryFilterForm(forms.Form):
    """The filters of the library, read from the query string: a value it does not offer is left out."""

    q = forms.CharField(label=_("Words"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, categories: list[DocumentCategory], years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", _("All the categories")),
            *[(c.slug, c.name) for c in categories],
        ]
        self.fields["year"].choices = [("", _("All the years")), *[(y, y) for y in years]]

    def cleaned(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "query": (data.get("q") or "").replace("\x00", "").strip(),
            "category": data.get("category") or "",
            "year": data.get("year"),
        }


class DocumentForm(forms.ModelForm):
    """The description of a document and who may read it; on creation also its first file."""

    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}))
    note = forms.CharField(label=_("Note on this version (optional)"), max_length=300, required=False)

    class Meta:
        model = Document
        fields = [
            "title",
            "description",
            "category",
            "date",
            "author_organisation",
            "language",
            "licence",
            "access",
            "organisations",
            "reader_groups",
            "plan_version",
            "survey_round",
            "meeting",
            "governance_body",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "access": forms.RadioSelect,
            "organisations": forms.CheckboxSelectMultiple,
            "reader_groups": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "organisations": _("Only for a document reserved to members: their members may read it."),
            "reader_groups": _(
                "Only for a document reserved to members: the members of every organisation of the "
                "group may read it."
            ),
        }

    def __init__(self, *args, with_file: bool = True, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        if with_file:
            self.fields["file"].help_text = FILE_HELP % {
                "limit": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
            }
        else:
            del self.fields["file"]
            del self.fields["note"]
        self.fields["organisations"].queryset = Organisation.objects.order_by("name")
        self.fields["reader_groups"].queryset = ReaderGroup.objects.order_by("name")
        for name in ("plan_version", "survey_round", "meeting", "governance_body"):
            self.fields[name].help_text = _("Optional: the document is then listed there too.")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("file", None)
        data.pop("note", None)
        return data


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}))
    note = forms.CharField(label=_("What changed (optional)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = FILE_HELP % {"limit": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)}
