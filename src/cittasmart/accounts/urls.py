from django.urls import path

from cittasmart.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/my-data.json", views.data_export, name="data_export"),
    path("profile/delete/", views.erase, name="erase"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/<slug:role>/revoke/", views.role_revoke, name="role_revoke"),
]
