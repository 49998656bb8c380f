from django.contrib import admin

from cittasmart.core.models import AccessibilityFeedback, AuditEntry, SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not SiteSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "code", "object_repr"]
    list_filter = ["code"]
    search_fields = ["object_repr", "actor__email", "code"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessibilityFeedback)
class AccessibilityFeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "page_url", "handled"]
    list_filter = ["handled"]
    readonly_fields = ["author", "name", "email", "page_url", "message", "created_at"]
