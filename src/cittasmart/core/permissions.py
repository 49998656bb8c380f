from django.core.exceptions import PermissionDenied


def require_perm(user, perm: str, obj=None) -> None:
    """Raise PermissionDenied (403) unless the ``rules`` permission ``perm`` holds for ``user`` on ``obj``.

    Objects the user may not even know about are fetched through selectors that answer 404 instead."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied
