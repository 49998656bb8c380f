"""Open data: the API tokens that organisations use to push measurements, the replies kept for idempotent
retries, and the export files made in the background."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cittasmart.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    """A secret that lets an organisation's systems write the indicators it is the source of.

    Only a SHA-256 hash of the secret is kept; the secret is shown once, when staff issue it."""

    organisation = models.ForeignKey(
        "stakeholders.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. the system using it.")
    )
    prefix = models.CharField(_("first characters"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The reply given to a write with an ``Idempotency-Key``: a retry with the same key gets it again."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return self.key


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", "XLSX"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(TimeStampedModel):
    """A large export made in the background. Public data only, so one file serves everyone who asks for the
    same dataset, format and state of the data (``fingerprint``)."""

    dataset = models.CharField(_("dataset"), max_length=40)
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "file_format", "fingerprint"], name="exportjob_unique_state"
            ),
            models.CheckConstraint(
                condition=models.Q(file_format__in=ExportFormat.values), name="exportjob_format_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ExportStatus.values), name="exportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")),
                name="exportjob_progress_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.file_format}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)
