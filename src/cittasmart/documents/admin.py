"""The library's configuration in the Django admin: the categories and the groups of readers.

Documents, their versions and news are written through the plan office's pages (the services check every file and
keep the history); here they are only listed. The download log is read-only."""

from django.contrib import admin

from cittasmart.documents.models import Document, DocumentCategory, Download, NewsItem, ReaderGroup


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentCategory)
class DocumentCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ReaderGroup)
class ReaderGroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    filter_horizontal = ["organisations"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "category", "date", "access", "is_demo"]
    list_filter = ["category", "access", "is_demo"]
    search_fields = ["title"]


@admin.register(Download)
class DownloadAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "document", "version", "user"]
    list_select_related = ["document", "version", "user"]


@admin.register(NewsItem)
class NewsItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "published_at", "is_demo"]
    search_fields = ["title"]
