"""Continuous participation: processes with phases, ideas (istanze), comments, supports, follows, notifications,
moderation reports and blocks, and the official answers that tie each idea to the plan actions it fed.

What may be done in a process (propose, comment, support, answer) depends only on the kind of its current phase
(``PHASE_ALLOWS``), read by the predicates in ``rules.py``.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cittasmart.core.ambiti import Ambito
from cittasmart.core.models import TimeStampedModel
from cittasmart.core.validators import validate_image_upload
from cittasmart.plan.models import Action, PlanVersion
from cittasmart.stakeholders.models import Organisation


class PhaseKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    COLLECTING = "collecting", _("Collecting ideas")
    EVALUATION = "evaluation", _("Evaluation")
    FEEDBACK = "feedback", _("Feedback and monitoring")


class Capability(models.TextChoices):
    PROPOSE = "propose", _("propose ideas")
    COMMENT = "comment", pgettext_lazy("what a phase allows", "comment")
    SUPPORT = "support", _("support ideas")
    ANSWER = "answer", _("answer ideas")


# What each kind of phase allows. Before the first phase and after the last one nothing is allowed.
PHASE_ALLOWS: dict[str, frozenset[str]] = {
    PhaseKind.INFORMATION: frozenset(),
    PhaseKind.COLLECTING: frozenset(
        {Capability.PROPOSE, Capability.COMMENT, Capability.SUPPORT, Capability.ANSWER}
    ),
    PhaseKind.EVALUATION: frozenset({Capability.COMMENT, Capability.ANSWER}),
    PhaseKind.FEEDBACK: frozenset({Capability.COMMENT, Capability.ANSWER}),
}


class ProcessTiming(models.TextChoices):
    OPEN = "open", pgettext_lazy("participatory process", "Open")
    UPCOMING = "upcoming", _("Upcoming")
    PAST = "past", pgettext_lazy("participatory process", "Concluded")


class Process(TimeStampedModel):
    """A participatory process ("Agenda Digitale"), run by an organisation in phases."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, max_length=20000, validators=[MaxLengthValidator(20000)]
    )
    description_html = models.TextField(editable=False, blank=True)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="processes",
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="processes",
    )
    actions = models.ManyToManyField(
        Action, verbose_name=_("plan actions"), blank=True, related_name="processes"
    )
    image = models.ImageField(
        _("image"), upload_to="participation/processes/", blank=True, validators=[validate_image_upload]
    )
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    first_post_review = models.BooleanField(
        _("review first posts"),
        default=False,
        help_text=_("The first idea or comment of each person waits for a moderator before it is public."),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:process", kwargs={"slug": self.slug})

    # Phases are usually prefetched: these read ``self.phases.all()`` so that lists stay at constant queries.
    def phase_on(self, day: datetime.date) -> "Phase | None":
        for phase in self.phases.all():
            if phase.starts_on <= day <= phase.ends_on:
                return phase
        return None

    @property
    def current_phase(self) -> "Phase | None":
        return self.phase_on(timezone.localdate())

    def allows(self, capability: str) -> bool:
        phase = self.current_phase
        return self.is_published and phase is not None and capability in PHASE_ALLOWS[phase.kind]

    @property
    def timing(self) -> str:
        phases = list(self.phases.all())
        today = timezone.localdate()
        if not phases or today < min(p.starts_on for p in phases):
            return ProcessTiming.UPCOMING
        if today > max(p.ends_on for p in phases):
            return ProcessTiming.PAST
        return ProcessTiming.OPEN

    @property
    def ambiti_list(self) -> list[str]:
        return [a.ambito for a in self.ambiti.all()]


class ProcessAmbito(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="ambiti")
    ambito = models.CharField(_("domain"), max_length=20, choices=Ambito.choices)

    class Meta:
        verbose_name = _("domain of the process")
        verbose_name_plural = _("domains of the process")
        constraints = [
            models.UniqueConstraint(fields=["process", "ambito"], name="process_ambito_unique"),
            models.CheckConstraint(condition=models.Q(ambito__in=Ambito.values), name="process_ambito_valid"),
        ]

    def __str__(self) -> str:
        return self.get_ambito_display()


class Phase(TimeStampedModel):
    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=PhaseKind.choices)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("Empty for the name of the kind.")
    )
    description = models.TextField(_("description"), blank=True, max_length=5000)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=PhaseKind.values), name="phase_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def allows(self) -> frozenset[str]:
        return PHASE_ALLOWS[self.kind]


class IdeaStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    PUBLISHED = "published", pgettext_lazy("idea", "Published")
    EVALUATING = "evaluating", _("Under evaluation")
    ANSWERED = "answered", _("Answered")
    WITHDRAWN = "withdrawn", pgettext_lazy("idea", "Withdrawn")


# The states in which an idea is public (unless hidden by moderation).
PUBLIC_IDEA_STATUSES = (
    IdeaStatus.PUBLISHED,
    IdeaStatus.EVALUATING,
    IdeaStatus.ANSWERED,
    IdeaStatus.WITHDRAWN,
)
# The states in which an idea is open: it can still be supported, and still waits for an answer.
OPEN_IDEA_STATUSES = (IdeaStatus.PUBLISHED, IdeaStatus.EVALUATING)


def public_ideas_q(prefix: str = "") -> models.Q:
    """The ideas anyone may read, as a filter (``prefix`` such as ``"ideas__"`` from a related model); the
    database twin of ``Idea.is_public``."""
    return models.Q(**{f"{prefix}status__in": PUBLIC_IDEA_STATUSES, f"{prefix}is_hidden": False})


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("answer to an idea", "Accepted")
    PARTIAL = "partial", _("Partially accepted")
    ALREADY_PLANNED = "planned", _("Already planned")
    REJECTED = "rejected", pgettext_lazy("answer to an idea", "Not accepted")


class Idea(TimeStampedModel):
    """An idea or request (istanza) of a person, possibly on behalf of an organisation they act for."""

    # No index of its own: the three ordering indexes below begin with the process (each support rewrites
    # every index of the idea, as ``support_count`` is indexed).
    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.PROTECT, related_name="ideas", db_index=False
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=10000, validators=[MaxLengthValidator(10000)])
    body_html = models.TextField(editable=False, blank=True)
    ambito = models.CharField(_("domain"), max_length=20, choices=Ambito.choices, blank=True)
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="ideas"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    status = models.CharField(
        _("state"), max_length=12, choices=IdeaStatus.choices, default=IdeaStatus.PUBLISHED
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(_("comments"), default=0)
    # An idea said at a meeting and recorded by a facilitator (``author``): where it was said, and by whom.
    source_title = models.CharField(_("collected at"), max_length=300, blank=True)
    source_url = models.CharField(max_length=300, blank=True)
    said_by = models.CharField(_("said by"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=IdeaStatus.values), name="idea_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ambito="") | models.Q(ambito__in=Ambito.values), name="idea_ambito_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="idea_location_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["process", "status", "-created_at", "-id"], name="idea_newest"),
            models.Index(fields=["process", "-support_count", "-id"], name="idea_most_supported"),
            models.Index(fields=["process", "-comment_count", "-id"], name="idea_most_commented"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:idea", kwargs={"slug": self.process.slug, "pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_IDEA_STATUSES and not self.is_hidden

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_recorded(self) -> bool:
        """Said at a meeting and recorded by a facilitator, rather than written by its author."""
        return bool(self.source_title)

    @property
    def author_label(self) -> str:
        """Who signs the idea: the organisation if any, with the person, or just the person. An idea recorded at a
        meeting is signed by who said it there."""
        if self.is_recorded:
            return self.said_by or str(_("An unregistered participant"))
        if self.organisation_id:
            return f"{self.organisation.name} ({self.author.public_name})"
        return self.author.public_name


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF document")


def attachment_path(instance: "IdeaAttachment", filename: str) -> str:
    extension = {AttachmentKind.IMAGE: "img", AttachmentKind.PDF: "pdf"}.get(instance.kind, "bin")
    return f"participation/attachments/{timezone.now():%Y/%m}/{secrets.token_hex(12)}.{extension}"


class IdeaAttachment(TimeStampedModel):
    """An image or PDF of an idea. Served only through a view that checks the idea is visible, never inline HTML."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(max_length=50)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AttachmentKind.values), name="attachment_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class IdeaAnswer(TimeStampedModel):
    """The official answer of the plan office: the outcome, why, and the plan actions the idea fed."""

    idea = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="answer")
    outcome = models.CharField(
        pgettext_lazy("answer to an idea", "outcome"), max_length=10, choices=Outcome.choices
    )
    text = models.TextField(_("answer"), max_length=10000, validators=[MaxLengthValidator(10000)])
    text_html = models.TextField(editable=False, blank=True)
    actions = models.ManyToManyField(
        Action,
        verbose_name=_("plan actions"),
        blank=True,
        related_name="idea_answers",
        help_text=_("The actions of the published plan this idea fed or is already covered by."),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("official answer")
        verbose_name_plural = _("official answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="answer_outcome_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.idea} – {self.get_outcome_display()}"


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    PUBLISHED = "published", pgettext_lazy("comment", "Published")


class Comment(TimeStampedModel):
    """A comment on an idea or a reply to one (one level). Deleting keeps the row: the text is removed."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="comments"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=3000, validators=[MaxLengthValidator(3000)])
    status = models.CharField(
        _("state"), max_length=10, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    is_hidden = models.BooleanField(_("hidden by moderation"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CommentStatus.values), name="comment_status_valid"
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="comment_not_own_parent"),
        ]
        indexes = [models.Index(fields=["idea", "parent", "created_at", "id"], name="comment_thread")]

    def __str__(self) -> str:
        return f"{self.author.public_name}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return f"{self.idea.get_absolute_url()}#comment-{self.pk}"

    @property
    def counts(self) -> bool:
        """Whether the comment counts in the idea's comment counter (visible to everyone)."""
        return self.status == CommentStatus.PUBLISHED and not self.is_hidden and self.deleted_at is None


class Support(models.Model):
    """One person's support of an idea: one row per person per idea, counted in ``Idea.support_count``."""

    # The unique (idea, user) constraint is the index by idea: one index less to write per support.
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="support_one_per_person")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.idea_id}"


class Follow(models.Model):
    """A person following a process, an idea or a domain (ambito), to be notified of what happens in it.

    Following a domain means hearing of the news published in it (``notify.news_published``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    ambito = models.CharField(_("domain"), max_length=20, choices=Ambito.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(process__isnull=False, idea__isnull=True, ambito="")
                | models.Q(process__isnull=True, idea__isnull=False, ambito="")
                | (models.Q(process__isnull=True, idea__isnull=True) & ~models.Q(ambito="")),
                name="follow_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(ambito="") | models.Q(ambito__in=Ambito.values), name="follow_ambito_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "process"],
                condition=models.Q(process__isnull=False),
                name="follow_unique_process",
            ),
            models.UniqueConstraint(
                fields=["user", "idea"], condition=models.Q(idea__isnull=False), name="follow_unique_idea"
            ),
            models.UniqueConstraint(
                fields=["user", "ambito"], condition=~models.Q(ambito=""), name="follow_unique_ambito"
            ),
        ]
        indexes = [
            # Who follows a domain, when news is published in it.
            models.Index(fields=["ambito", "user"], condition=~models.Q(ambito=""), name="follow_ambito_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.process_id or self.idea_id or self.ambito}"


class NotificationKind(models.TextChoices):
    NEW_IDEA = "new_idea", _("A new idea in a process you follow")
    NEW_COMMENT = "new_comment", _("A new comment on an idea you follow")
    REPLY = "reply", _("A reply to your comment")
    ANSWERED = "answered", _("An idea you follow has been answered")
    STATUS = "status", _("The state of an idea you follow has changed")
    HIDDEN = "hidden", _("Your content has been hidden by moderation")
    UNHIDDEN = "unhidden", _("Your content is visible again")
    APPROVED = "approved", _("Your first post has been approved")
    NEWS = "news", _("News in a domain you follow")


class Notification(models.Model):
    """Something that happened, for one person. The text is rendered in the reader's language from ``kind``."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    process = models.ForeignKey(Process, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    # What the notification is about when it is not a thing of participation (news, for now): its title and its
    # page as they were when it happened, and the followed domain it came through.
    subject_title = models.CharField(max_length=200, blank=True)
    subject_path = models.CharField(max_length=300, blank=True)
    ambito = models.CharField(max_length=20, choices=Ambito.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ambito="") | models.Q(ambito__in=Ambito.values),
                name="notification_ambito_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind}"


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, one e-mail per notification")
    DAILY = "daily", _("A daily digest")
    NEVER = "never", _("Never: only on the platform")


def unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class NotificationSettings(models.Model):
    """How a person wants to hear of notifications by e-mail; the token signs the one-click unsubscribe link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_frequency = models.CharField(
        _("e-mail"), max_length=10, choices=EmailFrequency.choices, default=EmailFrequency.DAILY
    )
    unsubscribe_token = models.CharField(
        max_length=64, unique=True, default=unsubscribe_token, editable=False
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email_frequency__in=EmailFrequency.values),
                name="notification_frequency_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email_frequency}"


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    OFFENSIVE = "offensive", _("Offensive, abusive or discriminatory")
    PERSONAL_DATA = "personal_data", _("Personal data of others")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", pgettext_lazy("reason of a report", "Other")


class ReportResolution(models.TextChoices):
    HIDDEN = "hidden", _("Content hidden")
    DISMISSED = "dismissed", _("Report dismissed")


class Report(models.Model):
    """A person's report of an idea or a comment to the moderators (one per person per content)."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(
        _("details"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=ReportResolution.choices, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea__isnull=False, comment__isnull=True)
                | models.Q(idea__isnull=True, comment__isnull=False),
                name="report_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=ReportReason.values), name="report_reason_valid"
            ),
            models.UniqueConstraint(
                fields=["reporter", "idea"], condition=models.Q(idea__isnull=False), name="report_once_idea"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=models.Q(comment__isnull=False),
                name="report_once_comment",
            ),
        ]
        indexes = [models.Index(fields=["resolved_at"], name="report_open")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.idea_id or self.comment_id})"


class Block(TimeStampedModel):
    """A person blocked from participating by a moderator (they can still log in, read and export their data)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_block"
    )
    reason = models.CharField(_("reason"), max_length=500)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason[:40]}"
