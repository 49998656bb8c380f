"""API tokens in the Django admin: read-only (the secret is never stored, so never shown); revoking goes through
the service, which audits it. Tokens are issued on the plan office's page, where the secret is shown once."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cittasmart.opendata import tokens
from cittasmart.opendata.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["organisation", "created_by"]
    search_fields = ["name", "organisation__name", "prefix"]
    # No ``token_hash``: even the hash stays out of the pages.
    fields = [
        "organisation",
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        if not request.user.has_perm("plan.manage_plan"):
            self.message_user(request, _("Only the plan office can do this."), messages.ERROR)
            return
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.token_revoke(actor=request.user, token=token)
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
