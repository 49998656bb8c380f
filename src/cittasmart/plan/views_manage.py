"""Being built: every view answers 404 until it works."""

from django.http import Http404


def manage(request, *args, **kwargs):
    raise Http404


def version_create(request, *args, **kwargs):
    raise Http404


def version_edit(request, *args, **kwargs):
    raise Http404


def version_publish(request, *args, **kwargs):
    raise Http404


def action_create(request, *args, **kwargs):
    raise Http404


def action_edit(request, *args, **kwargs):
    raise Http404


def milestone_add(request, *args, **kwargs):
    raise Http404


def measurement_add(request, *args, **kwargs):
    raise Http404


def survey_gaps(request, *args, **kwargs):
    raise Http404
