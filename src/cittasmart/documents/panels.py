"""Panels the document library adds to other apps' pages (``core.registry.register_panel``)."""

from django.template.loader import render_to_string

from cittasmart.documents import selectors


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
