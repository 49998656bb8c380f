from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cittasmart.core.ambiti import Ambito
from cittasmart.core.models import TimeStampedModel
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.validators import validate_cup


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


class SurveyRound(TimeStampedModel):
    """One round of the survey on the state of development of the Smart City (first census or update)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    year = models.PositiveIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    conducted_by = models.ManyToManyField(
        Organisation, verbose_name=_("conducted by"), related_name="conducted_rounds", blank=True
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    questionnaire_version = models.CharField(_("questionnaire version"), max_length=40, blank=True)
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("previous round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RoundStatus.values), name="round_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=~models.Q(previous_round=models.F("id")), name="round_not_its_own_previous"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("survey:round_detail", kwargs={"slug": self.slug})


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned with comments")
    VALIDATED = "validated", _("Validated")


EDITABLE_INVITATION_STATUSES = (
    InvitationStatus.INVITED,
    InvitationStatus.IN_PROGRESS,
    InvitationStatus.RETURNED,
)


class Invitation(TimeStampedModel):
    """An organisation asked to answer a round. Its first section holds the organisation's general data."""

    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="invitations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
        db_index=True,
    )
    # Section 1: general data of the respondent organisation.
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_role = models.CharField(_("role of the contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    employees = models.PositiveIntegerField(_("number of employees"), null=True, blank=True)
    smart_city_unit = models.CharField(
        _("office or unit in charge of smart-city projects"), max_length=200, blank=True
    )
    general_notes = models.TextField(_("notes on the organisation"), blank=True, max_length=5000)
    review_comment = models.TextField(_("comment of the plan office"), blank=True, max_length=5000)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="invitation_unique_round_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_INVITATION_STATUSES and self.round.status == RoundStatus.OPEN

    def get_absolute_url(self) -> str:
        return reverse("survey:questionnaire", kwargs={"pk": self.pk})


class InvitationEvent(models.Model):
    """The history of an invitation: every change of state, with who did it and the comment."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class RecordKind(models.TextChoices):
    PROJECT = "project", _("Project")
    IDEA = "idea", _("Idea")


class RecordStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESERVED = "reserved", _("Reserved")


class SurveyRecord(TimeStampedModel):
    """A project (ongoing or completed) or an idea (future initiative) reported in a round."""

    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="records"
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="records",
    )
    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="survey_records"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RecordKind.choices)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    reference_ambito = models.CharField(
        _("reference domain"), max_length=20, choices=Ambito.choices, db_index=True
    )
    audience_citizens = models.BooleanField(_("citizens"), default=False)
    audience_businesses = models.BooleanField(_("businesses"), default=False)
    audience_schools = models.BooleanField(_("schools"), default=False)
    audience_internal = models.BooleanField(_("internal (the organisation itself)"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=RecordStatus.choices, db_index=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget (euro)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cup = models.CharField(_("CUP"), max_length=15, blank=True, validators=[validate_cup])
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    links = models.TextField(_("links"), blank=True, max_length=5000, help_text=_("One address per line."))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    update_of = models.ForeignKey(
        "self",
        verbose_name=_("update of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="updates",
        help_text=_("The record of an earlier round that this record updates."),
    )
    is_validated = models.BooleanField(_("validated"), default=False, db_index=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("survey record")
        verbose_name_plural = _("survey records")
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=RecordKind.values), name="record_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=RecordStatus.values), name="record_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(reference_ambito__in=Ambito.values), name="record_ambito_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=Visibility.values), name="record_visibility_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="record_budget_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True)
                | models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="record_planned_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(actual_start__isnull=True)
                | models.Q(actual_end__isnull=True)
                | models.Q(actual_end__gte=models.F("actual_start")),
                name="record_actual_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (models.Q(latitude__isnull=False) & models.Q(longitude__isnull=False)),
                name="record_location_complete",
            ),
            models.UniqueConstraint(
                fields=["round", "update_of"],
                condition=models.Q(update_of__isnull=False),
                name="record_one_update_per_round",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "is_validated", "visibility"]),
            models.Index(fields=["owner", "round"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("survey:record_detail", kwargs={"pk": self.pk})

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]

    @property
    def audiences(self) -> list[str]:
        return [
            str(field.verbose_name)
            for field in (
                self._meta.get_field(f"audience_{a}")
                for a in ("citizens", "businesses", "schools", "internal")
            )
            if getattr(self, field.name)
        ]


class RecordImpact(models.Model):
    """An ambito, other than the reference one, on which a record has an impact."""

    record = models.ForeignKey(SurveyRecord, on_delete=models.CASCADE, related_name="impacts")
    ambito = models.CharField(max_length=20, choices=Ambito.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "ambito"], name="impact_unique_record_ambito"),
            models.CheckConstraint(condition=models.Q(ambito__in=Ambito.values), name="impact_ambito_valid"),
        ]
        indexes = [models.Index(fields=["ambito", "record"])]

    def __str__(self) -> str:
        return self.get_ambito_display()


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    SUPPLIER = "supplier", _("Supplier")


class RecordPartner(models.Model):
    record = models.ForeignKey(SurveyRecord, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(
        _("partner"),
        max_length=200,
        help_text=_("Name, when the partner is not a registered organisation."),
        blank=True,
    )
    role = models.CharField(_("role"), max_length=10, choices=PartnerRole.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=PartnerRole.values), name="partner_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | ~models.Q(name=""), name="partner_named"
            ),
        ]

    def __str__(self) -> str:
        return self.organisation.name if self.organisation_id else self.name


class FundingType(models.TextChoices):
    EU = "eu", _("European Union")
    NATIONAL = "national", _("National")
    PNRR = "pnrr", _("PNRR")
    REGIONAL = "regional", _("Regional")
    MUNICIPAL = "municipal", _("Municipal")
    OWN = "own", _("Own funds")
    PRIVATE = "private", _("Private")


class FundingSource(models.Model):
    record = models.ForeignKey(SurveyRecord, on_delete=models.CASCADE, related_name="funding")
    type = models.CharField(_("type"), max_length=10, choices=FundingType.choices)
    programme = models.CharField(_("programme"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("amount (euro)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=FundingType.values), name="funding_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="funding_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.programme}".strip()


class RecordRevision(models.Model):
    """Who changed a record, when, and what: field → [before, after]."""

    record = models.ForeignKey(SurveyRecord, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.record_id} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def changed_fields(self) -> list[str]:
        """The changed fields as people read them (translated labels)."""
        extra = {
            "impact_ambiti": _("impact domains"),
            "partners": _("partners"),
            "funding": _("funding sources"),
        }
        labels = []
        for name in self.changes:
            if name in extra:
                labels.append(str(extra[name]))
            else:
                try:
                    labels.append(str(SurveyRecord._meta.get_field(name).verbose_name))
                except FieldDoesNotExist:  # a field removed since the change was recorded
                    labels.append(name)
        return labels


class ImportJobStatus(models.TextChoices):
    PREVIEWED = "previewed", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ImportJob(TimeStampedModel):
    """A file of records uploaded for a round, kept on the server between its preview and the import.

    The file's content is dropped once the job has finished; the summary stays for the record."""

    round = models.ForeignKey(
        SurveyRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4, choices=ImportFormat.choices)
    content = models.BinaryField(_("content"), blank=True, editable=False)
    language = models.CharField(_("language"), max_length=12, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ImportJobStatus.choices,
        default=ImportJobStatus.PREVIEWED,
        db_index=True,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    counts = models.JSONField(_("records per kind"), default=dict, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("background task"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import of records")
        verbose_name_plural = _("imports of records")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportJobStatus.values), name="import_job_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(file_format__in=ImportFormat.values), name="import_job_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} → {self.round}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
