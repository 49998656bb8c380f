"""The plan in the Django admin. Drafts are edited in the plan office's own pages; here published versions and
everything in them are read-only, like in the services."""

from django.contrib import admin

from cittasmart.plan.models import (
    Action,
    BodyMember,
    Decision,
    GovernanceBody,
    GovernanceBodyKind,
    Indicator,
    Measurement,
    Plan,
    PlanVersion,
)


def _version_of(obj):
    if obj is None:
        return None
    if isinstance(obj, PlanVersion):
        return obj
    if isinstance(obj, Measurement):
        return obj.indicator.version
    return obj.version


class PublishedReadOnlyMixin:
    """No change or delete of anything that belongs to a published version."""

    def has_change_permission(self, request, obj=None):
        version = _version_of(obj)
        if version is not None and version.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        version = _version_of(obj)
        if version is not None and version.is_published:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "created_at"]


@admin.register(PlanVersion)
class PlanVersionAdmin(PublishedReadOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "number", "kind", "status", "published_on"]
    list_filter = ["status", "kind"]
    readonly_fields = ["status", "published_on", "based_on"]


@admin.register(Action)
class ActionAdmin(PublishedReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title", "version", "status"]
    list_filter = ["version", "status", "kind"]
    search_fields = ["code", "title"]


@admin.register(Indicator)
class IndicatorAdmin(PublishedReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "version", "unit"]
    list_filter = ["version"]


@admin.register(Measurement)
class MeasurementAdmin(PublishedReadOnlyMixin, admin.ModelAdmin):
    list_display = ["indicator", "period", "value", "target", "quality"]


admin.site.register(GovernanceBodyKind)
admin.site.register(GovernanceBody)
admin.site.register(BodyMember)
admin.site.register(Decision)
