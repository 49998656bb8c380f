"""Italian identifiers of organisations: IPA code, partita IVA, codice fiscale."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

IPA_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")


def normalise_ipa_code(value: str) -> str:
    return (value or "").strip().lower()


def validate_ipa_code(value: str) -> None:
    if value and not IPA_CODE_RE.fullmatch(value):
        raise ValidationError(
            _(
                "Enter a valid IPA code: 2 to 20 lowercase letters, digits or underscores, "
                "starting with a letter (for example c_a123)."
            ),
            code="invalid_ipa_code",
        )


def normalise_vat_number(value: str) -> str:
    """Drop spaces, dots and the "IT" prefix; what is left of a non-empty input is never empty."""
    value = (value or "").strip().upper()
    compact = iva.compact(value) if value else ""
    return compact or value


def validate_vat_number(value: str) -> None:
    if not value:
        return
    if not re.fullmatch(r"\d{11}", value):
        raise ValidationError(_("A VAT number (partita IVA) has 11 digits."), code="invalid_vat_format")
    try:
        iva.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This VAT number (partita IVA) is not valid: please check the digits."), code="invalid_vat"
        ) from exc


def normalise_fiscal_code(value: str) -> str:
    value = (value or "").strip().upper()
    return codicefiscale.compact(value) if value else ""


def validate_fiscal_code(value: str) -> None:
    if not value:
        return
    if not re.fullmatch(r"\d{11}|[A-Z0-9]{16}", value):
        raise ValidationError(
            _("A fiscal code (codice fiscale) has 11 digits for organisations or 16 characters for people."),
            code="invalid_fiscal_code_format",
        )
    try:
        codicefiscale.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This fiscal code (codice fiscale) is not valid: please check it."), code="invalid_fiscal_code"
        ) from exc
