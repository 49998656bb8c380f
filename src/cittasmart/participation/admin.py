"""Participation in the Django admin: for looking, not for writing.

Every write of participation goes through ``participation.services`` (permissions, rendered Markdown, counters,
notifications, audit). The plan office and the moderators have their own pages for that; here the records are
read-only, and the only actions offered call the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cittasmart.participation import services
from cittasmart.participation.models import (
    Block,
    Comment,
    Idea,
    IdeaAnswer,
    Notification,
    Phase,
    Process,
    Report,
)


class ReadOnlyMixin:
    """Shows everything, changes nothing: no add, change or delete through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PhaseInline(ReadOnlyMixin, admin.TabularInline):
    model = Phase
    fields = ["kind", "title", "starts_on", "ends_on"]
    extra = 0
    show_change_link = False


@admin.register(Process)
class ProcessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "organiser", "is_published", "first_post_review", "created_at"]
    list_filter = ["is_published", "first_post_review", "is_demo"]
    search_fields = ["title", "slug", "summary"]
    list_select_related = ["organiser"]
    inlines = [PhaseInline]
    exclude = ["description_html"]


class AnswerInline(ReadOnlyMixin, admin.StackedInline):
    model = IdeaAnswer
    fields = ["outcome", "text", "actions", "answered_by", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    extra = 0


@admin.register(Idea)
class IdeaAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "process",
        "author",
        "status",
        "is_hidden",
        "support_count",
        "comment_count",
        "created_at",
    ]
    list_filter = ["status", "is_hidden", "ambito", "process", "is_demo"]
    search_fields = ["title", "body", "author__email"]
    list_select_related = ["process", "author"]
    date_hierarchy = "created_at"
    exclude = ["body_html"]
    inlines = [AnswerInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "idea", "author", "status", "is_hidden", "deleted_at", "created_at"]
    list_filter = ["status", "is_hidden"]
    search_fields = ["body", "author__email", "idea__title"]
    list_select_related = ["idea", "author"]
    date_hierarchy = "created_at"


@admin.register(Report)
class ReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "reason", "reporter", "idea", "comment", "created_at", "resolution"]
    list_filter = ["reason", "resolution", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["reporter", "idea", "comment__author"]
    date_hierarchy = "created_at"
    actions = ["dismiss_reports"]

    @admin.action(description=_("Dismiss the open reports of the selected content"))
    def dismiss_reports(self, request, queryset):
        targets = {(report.idea, report.comment) for report in queryset.filter(resolved_at__isnull=True)}
        dismissed = 0
        try:
            for idea, comment in targets:
                dismissed += services.reports_dismiss(actor=request.user, idea=idea, comment=comment)
        except PermissionDenied:
            self.message_user(request, _("Only moderators can do this."), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d report dismissed.", "%(count)d reports dismissed.", dismissed)
            % {"count": dismissed},
            messages.SUCCESS,
        )


@admin.register(Block)
class BlockAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "reason", "blocked_by", "created_at"]
    list_select_related = ["user", "blocked_by"]
    search_fields = ["user__email", "reason"]
    actions = ["unblock"]

    @admin.action(description=_("Lift the block of the selected people"))
    def unblock(self, request, queryset):
        lifted = 0
        for block in queryset.select_related("user"):
            try:
                services.user_unblock(actor=request.user, user=block.user, reason="admin")
            except PermissionDenied:
                self.message_user(request, _("Only moderators can do this."), messages.ERROR)
                return
            except ValidationError:
                continue  # lifted meanwhile
            lifted += 1
        self.message_user(
            request,
            ngettext("%(count)d block lifted.", "%(count)d blocks lifted.", lifted) % {"count": lifted},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["recipient", "kind", "idea", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient", "idea"]
    date_hierarchy = "created_at"
