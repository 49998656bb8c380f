from django.urls import path

from cittasmart.opendata import views_page

urlpatterns = [
    path("opendata/", views_page.index, name="index"),
]
