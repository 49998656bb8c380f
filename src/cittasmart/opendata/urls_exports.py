from django.urls import path

from cittasmart.opendata import views_exports

urlpatterns = [
    path("opendata/<slug:slug>.<str:fmt>", views_exports.export, name="export"),
    path("opendata/exports/<int:pk>/", views_exports.export_job, name="export_job"),
    path("opendata/exports/<int:pk>/file/", views_exports.export_file, name="export_file"),
    path("opendata/exports/<int:pk>/retry/", views_exports.export_job_retry, name="export_retry"),
]
