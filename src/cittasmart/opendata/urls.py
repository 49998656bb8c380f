"""The open data pages and files. The addresses are not translated: they are the same for people and programs
(``/opendata/catalog.ttl``, ``/opendata/<dataset>.csv``)."""

from cittasmart.opendata import urls_apidocs, urls_catalog, urls_exports, urls_page, urls_tokens

app_name = "opendata"

urlpatterns = [
    *urls_page.urlpatterns,
    *urls_apidocs.urlpatterns,
    *urls_catalog.urlpatterns,
    *urls_exports.urlpatterns,
    *urls_tokens.urlpatterns,
]
