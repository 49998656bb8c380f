from django.core.paginator import Page, Paginator

DEFAULT_PAGE_SIZE = 20


def paginate(request, queryset, per_page: int = DEFAULT_PAGE_SIZE) -> Page:
    """The requested page of ``queryset``; a bad or out-of-range ``page`` gives the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
