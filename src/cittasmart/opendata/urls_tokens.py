from django.urls import path

from cittasmart.opendata import views_tokens

urlpatterns = [
    path("opendata/tokens/", views_tokens.token_list, name="tokens"),
    path("opendata/tokens/new/", views_tokens.token_issue, name="token_issue"),
    path("opendata/tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]
