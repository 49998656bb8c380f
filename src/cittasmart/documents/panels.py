"""Panels the document library adds to other apps' pages (``core.registry.register_panel``)."""

from django.template.loader import render_to_string

from cittasmart.documents import selectors

MAX_LINKED = 20


def profile_reserved_area(request, **context) -> str:
    """On the profile: how many reserved documents the person may read, with the way to the reserved area."""
    count = selectors.reserved_area(user=request.user).count()
    if not count:
        return ""
    return render_to_string("documents/_profile_panel.html", {"count": count}, request=request)


def manage_card(request, **context) -> str:
    """On the management page: the library, for the plan office."""
    if not request.user.has_perm("documents.manage"):
        return ""
    return render_to_string("documents/_manage_card.html", {}, request=request)


def _linked(request, heading_id: str, **link) -> str:
    documents = list(selectors.documents_linked_to(user=request.user, **link)[:MAX_LINKED])
    if not documents:
        return ""
    return render_to_string(
        "documents/_linked_panel.html", {"documents": documents, "heading_id": heading_id}, request=request
    )


def version_documents(request, *, version, **context) -> str:
    """On a plan version's page: the documents of the library linked to it that the reader may open."""
    return _linked(request, "version-documents", plan_version=version)


def meeting_documents(request, *, meeting, **context) -> str:
    """On a meeting's page: the documents of the library linked to it that the reader may open."""
    return _linked(request, "meeting-documents", meeting=meeting)
