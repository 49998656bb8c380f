"""Italian identifiers of organisations: IPA code, partita IVA, codice fiscale.

Valid numbers are built with python-stdnum's own check-digit functions, so the tests do not depend on a
real company's data.
"""

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.it import codicefiscale

from cittasmart.stakeholders.forms import OrganisationForm
from cittasmart.stakeholders.validators import (
    normalise_fiscal_code,
    normalise_ipa_code,
    normalise_vat_number,
    validate_fiscal_code,
    validate_ipa_code,
    validate_vat_number,
)


def vat(first_ten: str) -> str:
    """A partita IVA with a correct check digit (Luhn over the first ten digits)."""
    return first_ten + luhn.calc_check_digit(first_ten)


def wrong_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def person_code(first_fifteen: str) -> str:
    """A 16-character codice fiscale with a correct check letter."""
    return first_fifteen + codicefiscale.calc_check_digit(first_fifteen)


VALID_VAT = vat("0123456097")  # province office 097 (Prato)
OTHER_VALID_VAT = vat("0074311015")
VALID_PERSON_CODE = person_code("RSSMRA85T10A562")  # born 10 December 1985
OTHER_PERSON_CODE = person_code("BNCLGU70A41G999")  # a woman born 1 January 1970


def error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value.code


# --- IPA code -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "c_g999", "ab", "r_toscana", "a" * 20, "x1_2_3"])
def test_valid_ipa_codes(value):
    validate_ipa_code(value)  # raises if not valid


@pytest.mark.parametrize(
    "value",
    ["a", "1abc", "_abc", "c-g999", "c g999", "C_G999", "c_g999!", "a" * 21, "città", "c_g999\n"],
)
def test_invalid_ipa_codes(value):
    assert error_code(validate_ipa_code, value) == "invalid_ipa_code"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [(" C_G999 ", "c_g999"), ("R_Toscana", "r_toscana"), ("", ""), (None, ""), ("\tc_g999\n", "c_g999")],
)
def test_ipa_codes_are_normalised(raw, normalised):
    assert normalise_ipa_code(raw) == normalised
    validate_ipa_code(normalise_ipa_code(raw))


# --- Partita IVA ----------------------------------------------------------------------------------------


def test_the_check_digit_helper_builds_numbers_the_validator_accepts():
    assert len(VALID_VAT) == 11
    assert wrong_check_digit(VALID_VAT) != VALID_VAT


@pytest.mark.parametrize("value", ["", VALID_VAT, OTHER_VALID_VAT])
def test_valid_vat_numbers(value):
    validate_vat_number(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (wrong_check_digit(VALID_VAT), "invalid_vat"),
        (wrong_check_digit(OTHER_VALID_VAT), "invalid_vat"),
        (vat("0123456500"), "invalid_vat"),  # no province office 500
        (vat("0000000097"), "invalid_vat"),  # company number zero
        (VALID_VAT[:-1], "invalid_vat_format"),
        (VALID_VAT + "0", "invalid_vat_format"),
        ("IT" + VALID_VAT, "invalid_vat_format"),  # the validator sees normalised values only
        ("0123456789A", "invalid_vat_format"),
        ("٠١٢٣٤٥٦٠٩٧٥", "invalid_vat"),  # Arabic-Indic digits match \d but are not a partita IVA
    ],
)
def test_invalid_vat_numbers(value, code):
    assert error_code(validate_vat_number, value) == code


@pytest.mark.parametrize(
    "raw",
    [
        VALID_VAT,
        f"IT{VALID_VAT}",
        f"it{VALID_VAT}",
        f"IT {VALID_VAT}",
        f"  {VALID_VAT}  ",
        f"{VALID_VAT[:3]} {VALID_VAT[3:7]} {VALID_VAT[7:]}",
        f"{VALID_VAT[:5]}-{VALID_VAT[5:]}",
    ],
)
def test_vat_numbers_are_normalised(raw):
    assert normalise_vat_number(raw) == VALID_VAT
    validate_vat_number(normalise_vat_number(raw))


@pytest.mark.parametrize("raw", ["", None, "   "])
def test_empty_vat_numbers_normalise_to_empty(raw):
    assert normalise_vat_number(raw) == ""


# --- Codice fiscale -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", VALID_VAT, VALID_PERSON_CODE, OTHER_PERSON_CODE])
def test_valid_fiscal_codes(value):
    validate_fiscal_code(value)


def test_a_wrong_check_letter_is_refused():
    last = VALID_PERSON_CODE[-1]
    other_letter = "A" if last != "A" else "B"
    assert error_code(validate_fiscal_code, VALID_PERSON_CODE[:-1] + other_letter) == "invalid_fiscal_code"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (wrong_check_digit(VALID_VAT), "invalid_fiscal_code"),
        (person_code("RSSMRA85B30A562"), "invalid_fiscal_code"),  # 30 February does not exist
        (VALID_PERSON_CODE[:-1], "invalid_fiscal_code_format"),
        (VALID_PERSON_CODE + "X", "invalid_fiscal_code_format"),
        (VALID_PERSON_CODE.lower(), "invalid_fiscal_code_format"),  # the validator sees normalised values
        ("RSSMRA85T10A562!", "invalid_fiscal_code_format"),
        ("1234567890", "invalid_fiscal_code_format"),
    ],
)
def test_invalid_fiscal_codes(value, code):
    assert error_code(validate_fiscal_code, value) == code


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (VALID_PERSON_CODE.lower(), VALID_PERSON_CODE),
        (f" {VALID_PERSON_CODE} ", VALID_PERSON_CODE),
        (f"{VALID_PERSON_CODE[:6]} {VALID_PERSON_CODE[6:11]} {VALID_PERSON_CODE[11:]}", VALID_PERSON_CODE),
        (f"{VALID_VAT[:4]} {VALID_VAT[4:]}", VALID_VAT),
        ("", ""),
        (None, ""),
    ],
)
def test_fiscal_codes_are_normalised(raw, normalised):
    assert normalise_fiscal_code(raw) == normalised
    validate_fiscal_code(normalise_fiscal_code(raw))


# --- Through the form (normalise, then validate) --------------------------------------------------------


def form_data(**fields):
    data = {"name": "Comune di Prato", "category": "public_body", "is_public_body": "on"}
    data.update(fields)
    return data


@pytest.mark.django_db
def test_the_form_normalises_identifiers_before_validating_them():
    form = OrganisationForm(
        form_data(
            ipa_code=" C_G999 ",
            vat_number=f"it {VALID_VAT[:5]} {VALID_VAT[5:]}",
            fiscal_code=VALID_PERSON_CODE.lower(),
        )
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["ipa_code"] == "c_g999"
    assert form.cleaned_data["vat_number"] == VALID_VAT
    assert form.cleaned_data["fiscal_code"] == VALID_PERSON_CODE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ipa_code", "1-bad"),
        ("vat_number", wrong_check_digit(VALID_VAT)),
        ("vat_number", "12345"),
        ("fiscal_code", wrong_check_digit(VALID_VAT)),
        ("fiscal_code", "RSSMRA85T10A562"),
    ],
)
def test_the_form_reports_bad_identifiers_on_their_field(field, value):
    form = OrganisationForm(form_data(**{field: value}))

    assert not form.is_valid()
    assert list(form.errors) == [field]
