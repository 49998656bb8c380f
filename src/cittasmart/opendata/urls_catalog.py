from django.urls import re_path

from cittasmart.opendata import views_catalog

urlpatterns = [
    re_path(r"^opendata/catalog\.(?P<fmt>ttl|rdf|jsonld)$", views_catalog.catalog_view, name="catalog"),
]
