from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.participation import (
    views_ideas,
    views_manage,
    views_moderation,
    views_notifications,
    views_public,
)

app_name = "participation"

urlpatterns = [
    # Public: processes, ideas, the feedback report.
    path("", views_public.home, name="home"),
    path(_("processes/<slug:slug>/"), views_public.process, name="process"),
    path(_("processes/<slug:slug>/ideas/"), views_public.idea_list, name="idea_list"),
    path(_("processes/<slug:slug>/map/"), views_public.idea_map, name="idea_map"),
    path(_("processes/<slug:slug>/feedback/"), views_public.feedback_report, name="feedback_report"),
    path(
        _("processes/<slug:slug>/feedback.csv"), views_public.feedback_report_csv, name="feedback_report_csv"
    ),
    path(_("processes/<slug:slug>/follow/"), views_ideas.process_follow, name="process_follow"),
    # Taking part.
    path(_("processes/<slug:slug>/ideas/new/"), views_ideas.idea_create, name="idea_create"),
    path(_("processes/<slug:slug>/ideas/similar/"), views_ideas.similar, name="idea_similar"),
    path(_("processes/<slug:slug>/ideas/<int:pk>/"), views_ideas.idea_detail, name="idea"),
    path(_("processes/<slug:slug>/ideas/<int:pk>/edit/"), views_ideas.idea_edit, name="idea_edit"),
    path(
        _("processes/<slug:slug>/ideas/<int:pk>/withdraw/"), views_ideas.idea_withdraw, name="idea_withdraw"
    ),
    path(_("processes/<slug:slug>/ideas/<int:pk>/support/"), views_ideas.idea_support, name="idea_support"),
    path(_("processes/<slug:slug>/ideas/<int:pk>/follow/"), views_ideas.idea_follow, name="idea_follow"),
    path(
        _("processes/<slug:slug>/ideas/<int:pk>/comments/"), views_ideas.comment_create, name="comment_create"
    ),
    path(_("processes/<slug:slug>/ideas/<int:pk>/report/"), views_ideas.idea_report, name="idea_report"),
    path(_("comments/<int:pk>/edit/"), views_ideas.comment_edit, name="comment_edit"),
    path(_("comments/<int:pk>/delete/"), views_ideas.comment_delete, name="comment_delete"),
    path(_("comments/<int:pk>/report/"), views_ideas.comment_report, name="comment_report"),
    path(_("attachments/<int:pk>/"), views_ideas.attachment, name="attachment"),
    # Notifications.
    path(_("notifications/"), views_notifications.notification_list, name="notifications"),
    path(_("notifications/read/"), views_notifications.mark_read, name="notifications_read"),
    path(_("notifications/settings/"), views_notifications.preferences, name="notification_settings"),
    path(_("notifications/unsubscribe/<str:token>/"), views_notifications.unsubscribe, name="unsubscribe"),
    path(_("domains/follow/"), views_notifications.ambito_follow, name="ambito_follow"),
    # Plan office: processes, phases, answers.
    path(_("manage/"), views_manage.manage, name="manage"),
    path(_("manage/new/"), views_manage.process_create, name="process_create"),
    path(_("manage/<slug:slug>/"), views_manage.process_edit, name="process_edit"),
    path(_("manage/<slug:slug>/phases/new/"), views_manage.phase_create, name="phase_create"),
    path(_("manage/<slug:slug>/phases/<int:pk>/"), views_manage.phase_edit, name="phase_edit"),
    path(_("processes/<slug:slug>/ideas/<int:pk>/answer/"), views_manage.idea_answer, name="idea_answer"),
    path(
        _("processes/<slug:slug>/ideas/<int:pk>/evaluate/"), views_manage.idea_evaluate, name="idea_evaluate"
    ),
    # Moderation.
    path(_("moderation/"), views_moderation.queue, name="moderation"),
    path(_("moderation/ideas/<int:pk>/"), views_moderation.idea_moderate, name="moderate_idea"),
    path(_("moderation/comments/<int:pk>/"), views_moderation.comment_moderate, name="moderate_comment"),
    path(_("moderation/people/"), views_moderation.blocks, name="blocks"),
    path(_("moderation/people/<int:pk>/"), views_moderation.person, name="moderate_person"),
]
