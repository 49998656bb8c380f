"""Documents of the plan and news of the new public communication.

A document has an access level and keeps every file version it ever had; the latest one is what "download" gives.
Files live in a private storage outside the media root (``settings.PRIVATE_MEDIA_ROOT``): only the
permission-checked views in ``views_documents`` serve them, so no public URL ever reaches a reserved file.
Downloads of documents that are not public are logged (who, when, which version).
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.models import TimeStampedModel
from cittasmart.core.validators import validate_image_upload
from cittasmart.meetings.models import Meeting
from cittasmart.participation.models import Process
from cittasmart.plan.models import Action, GovernanceBody, PlanVersion
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.models import SurveyRound


def private_storage():
    return storages["private"]


class DocumentCategory(TimeStampedModel):
    """A section of the library (indagine, schema preliminare, linee attuative, verbali…), configurable."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("document category")
        verbose_name_plural = _("document categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ReaderGroup(TimeStampedModel):
    """A named set of organisations whose members may read the documents reserved to it (for example the
    stakeholders of the plan)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations"), related_name="reader_groups", blank=True
    )

    class Meta:
        verbose_name = _("group of readers")
        verbose_name_plural = _("groups of readers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Public: everyone")
    REGISTERED = "registered", _("Registered users")
    MEMBERS = "members", _("Members of chosen organisations or groups")
    STAFF = "staff", _("Plan office and administrators only")


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", "Creative Commons BY 4.0"
    CC_BY_SA = "CC-BY-SA-4.0", "Creative Commons BY-SA 4.0"
    CC0 = "CC0-1.0", "Creative Commons CC0 1.0"
    IODL = "IODL-2.0", "Italian Open Data License 2.0"
    RESERVED = "reserved", _("All rights reserved")


class Language(models.TextChoices):
    ITALIAN = "it", _("Italian")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")


class Document(TimeStampedModel):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    category = models.ForeignKey(
        DocumentCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="documents"
    )
    date = models.DateField(_("date of the document"), default=timezone.localdate)
    author_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("author organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_documents",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ITALIAN
    )
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY)
    access = models.CharField(
        _("who may read it"), max_length=12, choices=AccessLevel.choices, default=AccessLevel.PUBLIC
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("reserved to the members of these organisations"),
        related_name="reserved_documents",
        blank=True,
    )
    reader_groups = models.ManyToManyField(
        ReaderGroup,
        verbose_name=_("reserved to these groups of readers"),
        related_name="documents",
        blank=True,
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
    )
    survey_round = models.ForeignKey(
        SurveyRound,
        verbose_name=_("survey round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
    )
    governance_body = models.ForeignKey(
        GovernanceBody,
        verbose_name=_("governance body"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="library_documents",
    )
    # The version "download" gives; set by ``services.version_add`` in the transaction that adds the version.
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access__in=AccessLevel.values), name="document_access_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(licence__in=Licence.values), name="document_licence_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="document_language_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["access", "-date", "-id"], name="document_access_date"),
            models.Index(fields=["category", "-date", "-id"], name="document_category_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", kwargs={"pk": self.pk})

    @property
    def is_reserved(self) -> bool:
        return self.access != AccessLevel.PUBLIC


def version_path(instance: "DocumentVersion", filename: str) -> str:
    """A random folder per file, the sanitised name inside it: names never collide and are not guessable."""
    return f"documents/{uuid.uuid4().hex}/{filename}"


class DocumentVersion(TimeStampedModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_path, storage=private_storage, max_length=255)
    file_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    # The text of a PDF, for the search (empty when it has none or cannot be read).
    text = models.TextField(blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="document_version_number_positive"
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_version_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_download_url(self) -> str:
        return reverse("documents:download_version", kwargs={"pk": self.document_id, "number": self.number})

    @property
    def extension(self) -> str:
        return self.file_name.rsplit(".", 1)[-1].upper() if "." in self.file_name else ""


class Download(models.Model):
    """One download of a document that is not public: who, when and which version."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="downloads")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="document_downloads",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["document", "-created_at"], name="download_document_date")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.version} {self.user_id}"


# --- News -----------------------------------------------------------------------------------------------


class NewsItem(TimeStampedModel):
    """A piece of news. A draft until published; publishing tells the followers of its ambiti, once."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("text"), max_length=20000, blank=True)
    image = models.ImageField(_("image"), upload_to="news/", blank=True, validators=[validate_image_upload])
    image_alt = models.CharField(
        _("text alternative of the image"),
        max_length=200,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    documents = models.ManyToManyField(Document, verbose_name=_("documents"), related_name="news", blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("participation process"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    action = models.ForeignKey(
        Action,
        verbose_name=_("plan action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="news",
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(image_alt=""), name="news_image_has_alt"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:news_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    @property
    def ambito_list(self) -> list[str]:
        return [a.ambito for a in self.ambiti.all()]


class NewsAmbito(models.Model):
    news = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="ambiti")
    ambito = models.CharField(_("domain"), max_length=20, choices=Ambito.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["news", "ambito"], name="news_ambito_unique"),
            models.CheckConstraint(condition=models.Q(ambito__in=Ambito.values), name="news_ambito_valid"),
        ]
        indexes = [models.Index(fields=["ambito", "news"], name="news_ambito_idx")]

    def __str__(self) -> str:
        return self.get_ambito_display()
