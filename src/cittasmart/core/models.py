from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from cittasmart.core import lookups  # noqa: F401 (registers the safe ``in`` lookup of integer columns)
from cittasmart.core.validators import validate_image_upload


class TimeStampedModel(models.Model):
    """Base for business objects: when it was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One staff or moderation action, kept for accountability. Written only through ``core.audit``."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    code = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.code} {self.object_repr}"


class SiteSettings(models.Model):
    """The instance's identity and contacts. There is exactly one row (pk=1)."""

    instance_name = models.CharField(_("platform name"), max_length=120, default="cittasmart")
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    entity_name = models.CharField(_("entity name"), max_length=200, default="")
    entity_url = models.URLField(_("entity website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="site/", blank=True, validators=[validate_image_upload])
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    pec = models.EmailField(_("certified e-mail (PEC)"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    accessibility_email = models.EmailField(
        _("accessibility feedback e-mail"),
        blank=True,
        help_text=_("Where accessibility feedback is sent; the contact e-mail is used when empty."),
    )
    data_controller = models.CharField(
        _("data controller"),
        max_length=255,
        blank=True,
        help_text=_("Who is responsible for personal data, as shown in the privacy notice."),
    )
    dpo_email = models.EmailField(_("data protection officer e-mail"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="sitesettings_singleton")]

    def __str__(self) -> str:
        return self.instance_name


class AccessibilityFeedback(TimeStampedModel):
    """A report of an accessibility problem, sent from the accessibility statement."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accessibility_feedback",
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    message = models.TextField(_("description of the problem"), max_length=5000)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.message[:40]}"
