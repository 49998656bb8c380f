"""The document library: the list with its filters, a document with its versions, the reserved area, the
permission-checked downloads, and the plan office's pages to add documents and versions and read the download log.

Every document is fetched through ``selectors.document_for_user``: a document one may not read answers 404 like a
missing one, on its page and on its downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cittasmart.core.downloads import attachment_response
from cittasmart.core.forms import add_service_errors
from cittasmart.core.forms import render_form_page as _render
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.core.permissions import require_perm
from cittasmart.core.ratelimit import rate_limit_writes
from cittasmart.documents import selectors, services
from cittasmart.documents.forms import DocumentForm, LibraryFilterForm, VersionForm

MANAGE = "documents.manage"
PAGE_SIZE = 20


@require_GET
def library(request):
    form = LibraryFilterForm(
        request.GET,
        categories=selectors.categories_in_use(user=request.user),
        years=selectors.document_years(user=request.user),
    )
    filters = selectors.DocumentFilters(**form.cleaned())
    page = paginate(request, selectors.document_list(user=request.user, filters=filters), PAGE_SIZE)
    return render(
        request,
        "documents/library.html",
        {
            "form": form,
            "filtered": any((filters.query, filters.category, filters.year)),
            "page": page,
            "querystring": querystring_without_page(request),
            "may_manage": request.user.has_perm(MANAGE),
        },
    )


@require_GET
@login_required
def reserved_area(request):
    page = paginate(request, selectors.reserved_area(user=request.user), 50)
    return render(request, "documents/reserved_area.html", {"page": page, "querystring": ""})


def _links(user, document) -> list[dict]:
    """The objects the document is linked to that ``user`` may open, with the public page of each."""
    survey_round, body = document.survey_round, document.governance_body
    candidates = [
        (_("Plan version"), document.plan_version, "plan.view_version", lambda obj: obj.get_absolute_url()),
        (
            _("Survey round"),
            survey_round,
            "survey.view_report",
            lambda obj: reverse("survey:report", kwargs={"slug": obj.slug}),
        ),
        (_("Meeting"), document.meeting, "meetings.view", lambda obj: obj.get_absolute_url()),
        (_("Governance body"), body, None, lambda obj: reverse("plan:governance")),
    ]
    return [
        {"label": label, "title": str(obj), "url": url(obj)}
        for label, obj, perm, url in candidates
        if obj is not None and (perm is None or user.has_perm(perm, obj))
    ]


@require_GET
def detail(request, pk):
    document = selectors.document_for_user(user=request.user, pk=pk)
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "versions": list(document.versions.all()),
            "links": _links(request.user, document),
            "may_manage": request.user.has_perm(MANAGE),
        },
    )


@require_GET
def download(request, pk, number=None):
    """A version of a document (the latest without ``number``), always as a download that the browser must not
    open in the page or read as another type. Downloads of documents that are not public are logged."""
    document = selectors.document_for_user(user=request.user, pk=pk)
    versions = {version.number: version for version in document.versions.all()}
    version = versions.get(number if number is not None else max(versions, default=0))
    if version is None:
        raise Http404
    try:
        handle = version.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise Http404 from exc
    services.download_record(user=request.user, version=version)
    # A reserved file must not stay in a shared cache or in the browser after logout.
    return attachment_response(
        handle,
        content_type=version.content_type,
        filename=version.file_name,
        cache_control="private, no-store" if document.is_reserved else "private, max-age=3600",
    )


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("documents.document")
def document_create(request):
    require_perm(request.user, MANAGE)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(
                actor=request.user,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document has been published in the library."))
            return redirect(document)
    return _render(request, "documents/document_form.html", {"form": form, "document": None}, form)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("documents.document")
def document_edit(request, pk):
    require_perm(request.user, MANAGE)
    document = selectors.document_for_user(user=request.user, pk=pk)
    form = DocumentForm(request.POST or None, instance=document, with_file=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(actor=request.user, document=document, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document has been saved."))
            return redirect(document)
    return _render(request, "documents/document_form.html", {"form": form, "document": document}, form)


@require_http_methods(["GET", "POST"])
@login_required
@rate_limit_writes("documents.document")
def version_create(request, pk):
    require_perm(request.user, MANAGE)
    document = selectors.document_for_user(user=request.user, pk=pk)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_add(
                actor=request.user,
                document=document,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(number)d is now the one people download.") % {"number": version.number}
            )
            return redirect(document)
    return _render(request, "documents/version_form.html", {"form": form, "document": document}, form)


@require_GET
@login_required
def download_log(request, pk):
    require_perm(request.user, MANAGE)
    document = selectors.document_for_user(user=request.user, pk=pk)
    page = paginate(request, selectors.download_log(document=document), 50)
    return render(
        request, "documents/download_log.html", {"document": document, "page": page, "querystring": ""}
    )
