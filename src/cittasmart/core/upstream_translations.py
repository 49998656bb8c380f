"""Messages of the libraries we use whose Italian translation is missing upstream in the pinned version.

Marking them here puts them in our catalogue, which Django searches first (LOCALE_PATHS)."""

from django.utils.translation import ngettext_lazy

# Django 5.2 changed this msgid; its Italian catalogue still has the old one.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "n",
)
