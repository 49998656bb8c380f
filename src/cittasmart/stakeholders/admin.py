from django.contrib import admin

from cittasmart.stakeholders.models import Membership, Organisation


class ReadOnlyAdminMixin:
    """Organisations and memberships are written through the site's own pages (services and audit log)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "category", "is_public_body", "ipa_code"]
    list_filter = ["category", "is_public_body"]
    search_fields = ["name", "ipa_code", "vat_number", "fiscal_code"]
    inlines = [MembershipInline]
