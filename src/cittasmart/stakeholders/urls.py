from django.urls import path
from django.utils.translation import gettext_lazy as _

from cittasmart.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path(_("new/"), views.organisation_create, name="create"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path(_("<slug:slug>/edit/"), views.organisation_update, name="update"),
    path(_("<slug:slug>/delete/"), views.organisation_delete, name="delete"),
    path(_("<slug:slug>/members/"), views.membership_add, name="membership_add"),
    path(_("<slug:slug>/members/<int:pk>/remove/"), views.membership_remove, name="membership_remove"),
]
