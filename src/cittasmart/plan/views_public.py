"""Being built: every view answers 404 until it works."""

from django.http import Http404


def plan_home(request, *args, **kwargs):
    raise Http404


def timeline(request, *args, **kwargs):
    raise Http404


def diff(request, *args, **kwargs):
    raise Http404


def version(request, *args, **kwargs):
    raise Http404


def action(request, *args, **kwargs):
    raise Http404
