import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# CUP (Codice Unico di Progetto): 15 characters, letters and digits, starting with a letter.
CUP_RE = re.compile(r"^[A-Z][0-9A-Z]{14}$")


def normalise_cup(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_cup(value: str) -> None:
    if value and not CUP_RE.fullmatch(value):
        raise ValidationError(
            _("A CUP (public investment code) has 15 letters and digits and starts with a letter."),
            code="invalid_cup",
        )
