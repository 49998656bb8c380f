import pytest
from django.test import RequestFactory

from cittasmart.core.pagination import paginate, querystring_without
from cittasmart.core.selectors import every_word_in
from cittasmart.stakeholders.models import Organisation
from tests.factories import OrganisationFactory


@pytest.mark.django_db
def test_every_word_must_be_in_one_of_the_fields():
    both = OrganisationFactory(name="Estra energia", description="Gas and water in Prato")
    OrganisationFactory(name="Estra", description="Gas only")
    OrganisationFactory(name="Other", description="Nothing")
    found = Organisation.objects.filter(every_word_in("estra PRATO", "name", "description"))
    assert list(found) == [both]
    assert Organisation.objects.filter(every_word_in("", "name")).count() == 3
    # Words past the limit are ignored.
    assert list(
        Organisation.objects.filter(every_word_in("estra prato zzz", "name", "description", max_words=2))
    ) == [both]


@pytest.mark.django_db
def test_paginate_reads_the_named_parameter_and_querystring_drops_the_given_ones():
    for n in range(3):
        OrganisationFactory(name=f"Org {n}")
    request = RequestFactory().get("/", {"ideas": "2", "page": "1", "q": "x"})
    page = paginate(request, Organisation.objects.order_by("name"), per_page=2, param="ideas")
    assert page.number == 2 and [o.name for o in page] == ["Org 2"]
    assert querystring_without(request, "ideas", "page") == "q=x"


@pytest.mark.django_db
def test_in_ignores_integers_beyond_the_range_of_the_column():
    # Django drops them from exact/lt/gt; for ``in``, SQLite raised OverflowError (a 500 behind any form with a
    # multiple choice of objects).
    from django import forms

    organisation = OrganisationFactory()
    huge = [10**30, 2**63, -(2**63) - 1]

    assert list(Organisation.objects.filter(pk__in=[*huge, organisation.pk])) == [organisation]
    assert not Organisation.objects.filter(pk__in=huge).exists()
    assert Organisation.objects.exclude(pk__in=huge).count() == 1
    field = forms.ModelMultipleChoiceField(Organisation.objects.all())
    with pytest.raises(forms.ValidationError):
        field.clean([str(10**30)])
    assert list(field.clean([str(organisation.pk)])) == [organisation]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42),
        ("007", 7),
        ("0", None),
        ("", None),
        ("-3", None),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("１", None),
        ("4 2", None),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),
        ("9" * 5000, None),
        (12, 12),
    ],
)
def test_parse_positive_int_takes_only_ascii_digits(text, number):
    from cittasmart.core.validators import parse_positive_int

    assert parse_positive_int(text) == number
