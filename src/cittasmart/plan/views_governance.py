"""Being built: every view answers 404 until it works."""

from django.http import Http404


def governance(request, *args, **kwargs):
    raise Http404


def manage_governance(request, *args, **kwargs):
    raise Http404
