"""Being built: every view answers 404 until it works."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def indicator(request, *args, **kwargs):
    raise Http404
