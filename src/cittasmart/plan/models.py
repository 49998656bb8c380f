"""The Smart City plan and its versions.

Each version holds its own copy of objectives, actions, milestones, indicators and measurements: a new version
starts as a copy of the current one, and a published version never changes. Objects of different versions that are
"the same thing" share a ``key`` (a UUID kept by the copy), which is what "what changed" compares.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cittasmart.core.ambiti import Ambito
from cittasmart.core.models import TimeStampedModel
from cittasmart.stakeholders.models import Organisation
from cittasmart.survey.models import SurveyRecord


class Plan(TimeStampedModel):
    """The plan of the instance (one, e.g. "Prato Smart City")."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title


class VersionKind(models.TextChoices):
    PRELIMINARY_SCHEME = "preliminary", _("Preliminary scheme")
    GUIDELINES = "guidelines", _("Guidelines")
    UPDATE_NOTE = "update", _("Update note")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PlanVersion(TimeStampedModel):
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    slug = models.SlugField(
        _("address"), max_length=40, help_text=_("Stable address of the version, for example 2017.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=VersionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=10000)
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    approval_body = models.CharField(_("approved by"), max_length=200, blank=True)
    approval_act_type = models.CharField(_("type of act"), max_length=100, blank=True)
    approval_act_number = models.CharField(_("number of the act"), max_length=50, blank=True)
    approval_date = models.DateField(_("date of approval"), null=True, blank=True)
    published_on = models.DateField(_("publication date"), null=True, blank=True)
    documents = models.TextField(
        _("documents"), blank=True, max_length=5000, help_text=_("One link per line: title | address.")
    )
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="version_unique_number"),
            models.UniqueConstraint(fields=["plan", "slug"], name="version_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(kind__in=VersionKind.values), name="version_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values), name="version_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=VersionStatus.PUBLISHED) | models.Q(published_on__isnull=False),
                name="version_published_has_date",
            ),
            # One draft at a time: the next version is prepared, then published.
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status=VersionStatus.DRAFT), name="version_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def get_absolute_url(self) -> str:
        return reverse("plan:version", kwargs={"version": self.slug})

    @property
    def document_links(self) -> list[tuple[str, str]]:
        links = []
        for line in self.documents.splitlines():
            if not line.strip():
                continue
            title, _sep, url = line.rpartition("|")
            links.append(((title or url).strip(), url.strip()))
        return links


class VersionedModel(TimeStampedModel):
    """Something that belongs to one plan version and is copied into the next."""

    key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    class Meta:
        abstract = True

    def _version(self) -> PlanVersion:
        raise NotImplementedError

    def save(self, *args, **kwargs):
        # Last line of defence; services check first and explain.
        if self._version().is_published and not getattr(self, "_allow_published_write", False):
            raise ValidationError(_("A published version cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._version().is_published:
            raise ValidationError(_("A published version cannot be changed."))
        return super().delete(*args, **kwargs)


class Objective(VersionedModel):
    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    ambito = models.CharField(
        _("domain"),
        max_length=20,
        choices=Ambito.choices,
        blank=True,
        help_text=_("Empty for a general objective."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="objective_unique_key")]

    def __str__(self) -> str:
        return self.title

    def _version(self) -> PlanVersion:
        return self.version


class ActionKind(models.TextChoices):
    VERTICAL = "vertical", _("Vertical (sector project)")
    TRANSVERSAL = "transversal", _("Transversal (systemic)")


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term")
    MEDIUM = "medium", _("Medium term")
    LONG = "long", _("Long term")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    DROPPED = "dropped", pgettext_lazy("status of a plan action", "Dropped")


ACTION_CODE_PREFIX = {ActionKind.VERTICAL: "PR-V", ActionKind.TRANSVERSAL: "PR-TRA"}


class Action(VersionedModel):
    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="actions"
    )
    code = models.CharField(_("code"), max_length=20)
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    responsible = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_actions",
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partner stakeholders"), blank=True, related_name="plan_partner_actions"
    )
    survey_records = models.ManyToManyField(
        SurveyRecord, verbose_name=_("survey records"), blank=True, related_name="plan_actions"
    )
    governance_body = models.ForeignKey(
        "GovernanceBody",
        verbose_name=_("body in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget = models.DecimalField(
        _("estimated budget (euro)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding = models.CharField(_("funding"), max_length=500, blank=True)
    progress_override = models.PositiveSmallIntegerField(
        _("progress (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty to compute it from the milestones."),
    )
    progress_reason = models.CharField(_("reason for the progress set by hand"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="action_unique_code"),
            models.UniqueConstraint(fields=["version", "key"], name="action_unique_key"),
            models.CheckConstraint(condition=models.Q(kind__in=ActionKind.values), name="action_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__isnull=True) | models.Q(budget__gte=0),
                name="action_budget_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_override__isnull=True) | models.Q(progress_override__lte=100),
                name="action_progress_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_override__isnull=True) | ~models.Q(progress_reason=""),
                name="action_progress_override_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True)
                | models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gte=models.F("planned_start")),
                name="action_planned_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["version", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def _version(self) -> PlanVersion:
        return self.version

    def get_absolute_url(self) -> str:
        return reverse("plan:action", kwargs={"version": self.version.slug, "code": self.code})


class ActionAmbito(models.Model):
    """A domain an action belongs to (an action can span several)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="ambiti")
    ambito = models.CharField(max_length=20, choices=Ambito.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "ambito"], name="action_ambito_unique"),
            models.CheckConstraint(condition=models.Q(ambito__in=Ambito.values), name="action_ambito_valid"),
        ]
        indexes = [models.Index(fields=["ambito", "action"])]

    def __str__(self) -> str:
        return self.get_ambito_display()


class Milestone(VersionedModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=250)
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due", "id"]
        constraints = [models.UniqueConstraint(fields=["action", "key"], name="milestone_unique_key")]

    def __str__(self) -> str:
        return self.title

    def _version(self) -> PlanVersion:
        return self.action.version


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class LogicType(models.TextChoices):
    INPUT = "input", _("Input")
    PROCESS = "process", _("Process")
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class IndicatorLevel(models.TextChoices):
    CITY = "city", _("City")
    ACTION = "action", _("Action")


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    OTHER = "other", _("Other")


class Indicator(VersionedModel):
    version = models.ForeignKey(
        PlanVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=250)
    definition = models.TextField(_("definition"), blank=True, max_length=5000)
    unit = models.CharField(_("unit"), max_length=50)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    logic_type = models.CharField(_("logic type"), max_length=10, choices=LogicType.choices)
    level = models.CharField(
        _("level"), max_length=10, choices=IndicatorLevel.choices, default=IndicatorLevel.CITY
    )
    action = models.ForeignKey(
        Action,
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    periodicity = models.CharField(_("periodicity"), max_length=10, choices=Periodicity.choices, blank=True)
    source = models.CharField(_("source"), max_length=250, blank=True)
    source_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("source organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    iso_theme = models.CharField(_("ISO 37120/37122 theme"), max_length=100, blank=True)
    u4ssc_code = models.CharField(_("U4SSC KPI code"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_unique_code"),
            models.UniqueConstraint(fields=["version", "key"], name="indicator_unique_key"),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="indicator_direction_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(logic_type__in=LogicType.values), name="indicator_logic_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=IndicatorLevel.values), name="indicator_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def _version(self) -> PlanVersion:
        return self.version

    def get_absolute_url(self) -> str:
        return reverse("plan:indicator", kwargs={"version": self.version.slug, "code": self.code})


class DataQuality(models.TextChoices):
    OFFICIAL = "official", _("Official statistic")
    ADMINISTRATIVE = "administrative", _("Administrative data")
    ESTIMATE = "estimate", _("Estimate")
    DEMO = "demo", _("Demo value")


class Measurement(VersionedModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period = models.CharField(
        _("period"), max_length=20, help_text=_("For example 2019, 2020-Q3 or 2021-05.")
    )
    period_end = models.DateField(_("end of the period"), help_text=_("Used to order the measurements."))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4, null=True, blank=True)
    is_baseline = models.BooleanField(_("baseline"), default=False)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4, null=True, blank=True)
    quality = models.CharField(_("data quality"), max_length=15, choices=DataQuality.choices, blank=True)
    source = models.CharField(_("source"), max_length=250, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["period_end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="measurement_unique_period"),
            models.UniqueConstraint(fields=["indicator", "key"], name="measurement_unique_key"),
            models.UniqueConstraint(
                fields=["indicator"], condition=models.Q(is_baseline=True), name="measurement_one_baseline"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False) | models.Q(target__isnull=False),
                name="measurement_value_or_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period}"

    def _version(self) -> PlanVersion:
        return self.indicator.version


# --- Governance (not versioned: the bodies that run the plan over time) ------------------------------


class GovernanceBodyKind(TimeStampedModel):
    """A kind of body, configurable: steering board, technical committee, smart city manager, working table..."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("kind of governance body")
        verbose_name_plural = _("kinds of governance body")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class GovernanceBody(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    kind = models.ForeignKey(
        GovernanceBodyKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="bodies"
    )
    mandate = models.TextField(_("mandate"), blank=True, max_length=5000)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="body_not_own_parent")
        ]

    def __str__(self) -> str:
        return self.name


class BodyMember(TimeStampedModel):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="members")
    person_name = models.CharField(_("person"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    since = models.DateField(pgettext_lazy("start of a membership", "from"), null=True, blank=True)
    until = models.DateField(pgettext_lazy("end of a membership", "to"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person_name="") | models.Q(organisation__isnull=False),
                name="member_is_someone",
            ),
            models.CheckConstraint(
                condition=models.Q(since__isnull=True)
                | models.Q(until__isnull=True)
                | models.Q(until__gte=models.F("since")),
                name="member_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.person_name or str(self.organisation)


class Decision(TimeStampedModel):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="decisions")
    date = models.DateField(_("date"))
    summary = models.TextField(_("summary"), max_length=5000)
    action_keys = models.JSONField(
        _("related actions"),
        default=list,
        blank=True,
        help_text=_("Keys of the related actions (any version)."),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.summary[:60]}"
