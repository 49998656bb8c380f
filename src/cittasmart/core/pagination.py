from django.core.paginator import Page, Paginator

DEFAULT_PAGE_SIZE = 20


def paginate(request, queryset, per_page: int = DEFAULT_PAGE_SIZE, *, param: str = "page") -> Page:
    """The requested page of ``queryset``; a bad or out-of-range page number gives the nearest valid page.

    ``param`` names the query parameter, for pages that show more than one paginated list."""
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def querystring_without(request, *names: str) -> str:
    """The query string of ``request`` without the parameters ``names`` (to build links that replace them)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def querystring_without_page(request) -> str:
    return querystring_without(request, "page")
