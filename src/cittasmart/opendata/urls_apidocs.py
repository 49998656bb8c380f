from django.urls import path

from cittasmart.opendata import views_apidocs

urlpatterns = [
    path("opendata/api/", views_apidocs.api_docs, name="api_docs"),
]
