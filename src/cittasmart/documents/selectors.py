"""Every read of documents: what a person may see (``documents_visible`` is the one rule of access), the library
with its filters, the reserved area, a document with its versions, the download log."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from cittasmart.core.roles import is_staff_member
from cittasmart.core.search import text_search
from cittasmart.documents.models import (
    AccessLevel,
    Document,
    DocumentCategory,
    DocumentVersion,
    Download,
    ReaderGroup,
)
from cittasmart.stakeholders.models import Organisation

LIST_RELATED = ("category", "current_version", "author_organisation")


def documents_visible(*, user) -> QuerySet[Document]:
    """The documents ``user`` may read: public ones to everyone; to a signed-in person also those for registered
    users and those reserved to an organisation they are a member of (directly or through a group of readers);
    everything to the plan office and the administrators."""
    documents = Document.objects.all()
    if is_staff_member(user):
        return documents
    condition = Q(access=AccessLevel.PUBLIC)
    if getattr(user, "is_authenticated", False) and user.is_active:
        member_of = Organisation.objects.filter(
            reserved_documents=OuterRef("pk"), memberships__user_id=user.pk
        )
        group_member_of = ReaderGroup.objects.filter(
            documents=OuterRef("pk"), organisations__memberships__user_id=user.pk
        )
        condition |= Q(access=AccessLevel.REGISTERED)
        condition |= Q(access=AccessLevel.MEMBERS) & (Q(Exists(member_of)) | Q(Exists(group_member_of)))
    return documents.filter(condition)


def document_for_user(*, user, pk: int) -> Document:
    """The document, with what its page shows; 404 both when it does not exist and when ``user`` may not read it,
    so that a reserved document does not reveal it exists."""
    document = (
        documents_visible(user=user)
        .select_related(*LIST_RELATED, "plan_version", "survey_round", "meeting", "governance_body")
        .prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by")),
            "organisations",
            "reader_groups",
        )
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    return document


@dataclass(frozen=True)
class DocumentFilters:
    query: str = ""
    category: str = ""  # a category slug
    year: int | None = None


def document_list(*, user, filters: DocumentFilters = DocumentFilters()) -> QuerySet[Document]:
    documents = documents_visible(user=user).select_related(*LIST_RELATED)
    if filters.category:
        documents = documents.filter(category__slug=filters.category)
    if filters.year:
        documents = documents.filter(date__year=filters.year)
    if filters.query:
        documents = text_search(
            documents, filters.query, "title", "description", "current_version__text", ranked=False
        )
    return documents.order_by("-date", "-id")


def reserved_area(*, user) -> QuerySet[Document]:
    """The documents that are not public and that ``user`` may read, by category."""
    return (
        documents_visible(user=user)
        .exclude(access=AccessLevel.PUBLIC)
        .select_related(*LIST_RELATED)
        .order_by("category__order", "category__name", "-date", "-id")
    )


def categories_in_use(*, user) -> list[DocumentCategory]:
    visible = documents_visible(user=user).filter(category=OuterRef("pk"))
    return list(DocumentCategory.objects.filter(Exists(visible)))


def document_years(*, user) -> list[int]:
    return [d.year for d in documents_visible(user=user).dates("date", "year", order="DESC")]


def download_log(*, document: Document | None = None) -> QuerySet[Download]:
    downloads = Download.objects.select_related("user", "version", "document")
    if document is not None:
        downloads = downloads.filter(document=document)
    return downloads


def documents_linked_to(*, user, **link) -> QuerySet[Document]:
    """The documents ``user`` may read that are linked to an object: ``meeting=…``, ``plan_version=…``…"""
    return documents_visible(user=user).filter(**link).select_related(*LIST_RELATED).order_by("-date", "-id")
