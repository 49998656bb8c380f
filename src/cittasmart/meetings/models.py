"""Meetings and tours: open meetings organised in working groups on themes, with registration, a waitlist, check-in,
the contributions a facilitator records (each becomes an idea in the linked participation process) and minutes.

Seats are exact: every change of who holds a seat happens in ``services`` inside one transaction that locks the
meeting row first, so the count of confirmed registrations never exceeds the capacity of the meeting or of a group.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cittasmart.core.ambiti import Ambito
from cittasmart.core.models import TimeStampedModel
from cittasmart.participation.models import Idea, Process
from cittasmart.stakeholders.models import Organisation, OrganisationCategory

# Letters and digits that cannot be mistaken for one another when read aloud or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def registration_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def secret_token() -> str:
    return secrets.token_urlsafe(32)


class HasSeats:
    """What a meeting and a working group share: a capacity (None: no limit) and the seats left of it."""

    capacity: int | None

    @property
    def seats_left(self) -> int | None:
        """Free seats (None: no limit); reads the ``confirmed_count`` annotation of the selectors."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count, 0)


class Theme(models.Model):
    """A theme that working groups work on ("smart cities", "servizi online e Open Toscana")."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tour(TimeStampedModel):
    """A series of meetings across territories (the Toscana Digitale tour)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, validators=[MaxLengthValidator(20000)]
    )
    description_html = models.TextField(editable=False, blank=True)
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), blank=True, related_name="tours"
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True, related_name="tours")
    is_published = models.BooleanField(_("published"), default=False)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("tour")
        verbose_name_plural = _("tours")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:tour", kwargs={"slug": self.slug})


class MeetingTiming(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    PAST = "past", pgettext_lazy("meeting", "Past")


class Meeting(HasSeats, TimeStampedModel):
    """An open meeting, in a place or online or both, with optional exact capacity and working groups."""

    tour = models.ForeignKey(
        Tour,
        verbose_name=_("tour"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    process = models.ForeignKey(
        Process,
        verbose_name=_("participatory process"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text=_("The contributions collected at the meeting become ideas of this process."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, validators=[MaxLengthValidator(20000)]
    )
    description_html = models.TextField(editable=False, blank=True)
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), blank=True, related_name="meetings"
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    municipality = models.CharField(_("municipality (comune)"), max_length=120, blank=True)
    territory = models.CharField(
        _("territory"),
        max_length=120,
        blank=True,
        db_index=True,
        help_text=_("The province or area the meeting serves, for the filters of a tour."),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    online_url = models.URLField(
        _("online link"), blank=True, help_text=_("For online or hybrid meetings: where to join.")
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    accessibility = models.TextField(
        _("accessibility information"),
        blank=True,
        max_length=3000,
        help_text=_("Step-free access, hearing loop, interpreters, how to ask for assistance."),
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit. When the seats are taken, new registrations join the waitlist."),
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens at"), null=True, blank=True, help_text=_("Empty: open from publication.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True, help_text=_("Empty: open until the start.")
    )
    is_published = models.BooleanField(_("published"), default=False)
    report = models.TextField(
        _("report"),
        blank=True,
        max_length=20000,
        validators=[MaxLengthValidator(20000)],
        help_text=_("What happened at the meeting, for everyone; the minutes of each group follow it."),
    )
    report_html = models.TextField(editable=False, blank=True)
    report_published_at = models.DateTimeField(_("report published at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="meeting_capacity_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(registration_opens_at__isnull=True)
                | models.Q(registration_closes_at__isnull=True)
                | models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="meeting_registration_window",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="meeting_location_valid",
            ),
        ]
        indexes = [models.Index(fields=["tour", "starts_at"], name="meeting_tour_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", kwargs={"slug": self.slug})

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def registration_closes(self):
        return self.registration_closes_at or self.starts_at

    def registration_is_open(self, at=None) -> bool:
        at = at or timezone.now()
        opens = self.registration_opens_at
        return self.is_published and (opens is None or opens <= at) and at < self.registration_closes

    @property
    def registration_opens_later(self) -> bool:
        return self.registration_opens_at is not None and timezone.now() < self.registration_opens_at

    @property
    def report_is_published(self) -> bool:
        return self.report_published_at is not None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    starts_at = models.TimeField(_("time"))
    title = models.CharField(_("title"), max_length=200)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M} {self.title}"


class WorkingGroup(HasSeats, models.Model):
    """A working group (tavolo) of a meeting, on a theme, run by facilitators, with optional exact capacity."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="groups")
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="working_groups"
    )
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("Empty for the theme."))
    capacity = models.PositiveIntegerField(
        _("seats"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for no limit."),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_groups",
    )
    minutes = models.TextField(
        _("minutes"), blank=True, max_length=20000, validators=[MaxLengthValidator(20000)]
    )
    minutes_html = models.TextField(editable=False, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "theme"], name="group_one_per_theme"),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="group_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.theme.name


def minutes_attachment_path(instance: "MinutesAttachment", filename: str) -> str:
    extension = {"image": "img", "pdf": "pdf"}.get(instance.kind, "bin")
    return f"meetings/minutes/{timezone.now():%Y/%m}/{secrets.token_hex(12)}.{extension}"


class MinutesAttachment(TimeStampedModel):
    """A PDF or image of a group's minutes; served by a view that checks the report is public, never inline."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8)
    file = models.FileField(_("file"), upload_to=minutes_attachment_path, max_length=200)
    content_type = models.CharField(max_length=50)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment of the minutes")
        verbose_name_plural = _("attachments of the minutes")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["image", "pdf"]), name="minutes_kind_valid")
        ]

    def __str__(self) -> str:
        return self.original_name


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Short text")
    CHOICE = "choice", _("One of a list")


class RegistrationQuestion(models.Model):
    """An extra question of a meeting's registration form ("Which sector do you work in?")."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.TEXT)
    choices = models.TextField(_("choices"), blank=True, max_length=2000, help_text=_("One per line."))
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("registration question")
        verbose_name_plural = _("registration questions")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=QuestionKind.values), name="question_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for e-mail confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("registration", "Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")


# A person holds at most one registration per meeting in these states (cancelled ones stay as a record).
ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class Registration(TimeStampedModel):
    """One person's registration to a meeting, optionally to one of its working groups.

    With e-mail only, the registration waits for the confirmation of the address before it takes a seat or a place
    on the waitlist. The waitlist is served in the order of ``queued_at``. ``token`` signs the links of the
    e-mails (confirm, see, cancel, calendar); ``code`` is what the person shows at the check-in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="registrations")
    group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_registrations",
    )
    name = models.CharField(_("name and surname"), max_length=150)
    email = models.EmailField(_("e-mail"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_registrations",
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    organisation_category = models.CharField(
        _("sector"), max_length=30, blank=True, choices=OrganisationCategory.choices
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(
        _("state"), max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    queued_at = models.DateTimeField(_("in the queue since"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("seat confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    code = models.CharField(_("registration code"), max_length=12, unique=True, default=registration_code)
    token = models.CharField(max_length=64, unique=True, default=secret_token, editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["queued_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(organisation_category="")
                | models.Q(organisation_category__in=OrganisationCategory.values),
                name="registration_category_valid",
            ),
            models.UniqueConstraint(
                "meeting",
                Lower("email"),
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="registration_one_per_email",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(status__in=ACTIVE_STATUSES, user__isnull=False),
                name="registration_one_per_user",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
                | models.Q(queued_at__isnull=False),
                name="registration_queued_when_placed",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RegistrationStatus.CONFIRMED)
                | models.Q(confirmed_at__isnull=False),
                name="registration_confirmed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting", "status", "queued_at", "id"], name="registration_queue"),
            models.Index(fields=["group", "status"], name="registration_group_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:registration", kwargs={"token": self.token})

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def holds_seat(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED


class Attribution(models.TextChoices):
    PARTICIPANT = "participant", _("A registered participant")
    ORGANISATION = "organisation", _("An organisation")
    UNREGISTERED = "unregistered", _("An unregistered participant")


class Contribution(TimeStampedModel):
    """What a person said in a working group, as the facilitator recorded it; it becomes ``idea``."""

    group = models.ForeignKey(WorkingGroup, on_delete=models.PROTECT, related_name="contributions")
    text = models.TextField(_("contribution"), max_length=5000, validators=[MaxLengthValidator(5000)])
    ambito = models.CharField(_("domain"), max_length=20, choices=Ambito.choices, blank=True)
    attribution = models.CharField(_("said by"), max_length=14, choices=Attribution.choices)
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_contributions",
    )
    idea = models.OneToOneField(
        Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting_contribution"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attribution__in=Attribution.values), name="contribution_attribution_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ambito="") | models.Q(ambito__in=Ambito.values),
                name="contribution_ambito_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class CalendarFeed(models.Model):
    """The secret address of a person's "my meetings" calendar, for calendar apps that cannot log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=secret_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}"
