from django.urls import path

from cittasmart.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/my-data.json", views.data_export, name="data_export"),
    path("profile/delete/", views.erase, name="erase"),
]
