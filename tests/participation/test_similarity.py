"""Similar ideas while writing: the most similar first, unrelated ones left out, accents and plurals folded."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cittasmart.participation.models import Idea
from cittasmart.participation.similarity import fold, similar_ideas, stem, terms
from tests.factories import IdeaFactory, ProcessFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(results) -> list[str]:
    return [item.idea.title for item in results]


@pytest.fixture
def process():
    return ProcessFactory()


def test_fold_lowercases_and_removes_accents():
    assert fold("Perché la CITTÀ è più verde") == "perche la citta e piu verde"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("biciclette", "bicicletta"),
        ("lanes", "lane"),
        ("bikes", "bike"),
        ("stazioni", "stazione"),
        ("parchi", "parco"),
        ("ciclabili", "ciclabile"),
        ("amiche", "amica"),
    ],
)
def test_stemmer_matches_singular_plural_and_gender(one, other):
    assert stem(one) == stem(other)


def test_terms_drop_stop_words_and_short_words():
    assert terms("Una pista per le bici e per il bus") == [stem("pista"), stem("bici"), "bus"]


def test_most_similar_first(process):
    IdeaFactory(
        process=process, title="Piste ciclabili in centro", body="Collegare le piste ciclabili del centro."
    )
    IdeaFactory(
        process=process, title="Pista ciclabile sul lungomare", body="Una pista lungo il mare per le bici."
    )
    IdeaFactory(
        process=process, title="Wi-Fi gratuito in biblioteca", body="Connessione libera nelle biblioteche."
    )

    results = similar_ideas(
        process=process,
        title="Nuove piste ciclabili in centro",
        body="Servono piste ciclabili sicure che colleghino il centro.",
        user=AnonymousUser(),
    )

    assert titles(results) == ["Piste ciclabili in centro", "Pista ciclabile sul lungomare"]
    assert results[0].score > results[1].score > 0


def test_unrelated_ideas_are_not_returned(process):
    IdeaFactory(
        process=process, title="Wi-Fi gratuito in biblioteca", body="Connessione libera nelle biblioteche."
    )
    IdeaFactory(process=process, title="Orti urbani nei quartieri", body="Spazi verdi da coltivare insieme.")

    assert (
        similar_ideas(process=process, title="Bus notturni", body="Più corse di notte.", user=AnonymousUser())
        == []
    )


def test_accents_and_plurals_are_folded(process):
    IdeaFactory(process=process, title="Una bicicletta pubblica in città", body="Noleggio di biciclette.")
    IdeaFactory(process=process, title="Bike lane on the seafront", body="A protected lane for cyclists.")
    IdeaFactory(process=process, title="Orti urbani", body="Spazi verdi da coltivare.")

    italian = similar_ideas(process=process, title="BICICLETTE", body="", user=AnonymousUser())
    english = similar_ideas(process=process, title="bike lanes", body="", user=AnonymousUser())

    assert titles(italian) == ["Una bicicletta pubblica in città"]
    assert titles(english) == ["Bike lane on the seafront"]


def test_only_ideas_the_person_may_see_of_the_same_process(process):
    author = UserFactory()
    IdeaFactory(process=process, title="Parcheggio bici alla stazione", status="published")
    IdeaFactory(process=process, title="Parcheggio bici nascosto", is_hidden=True)
    IdeaFactory(process=process, title="Parcheggio bici in attesa", status="pending", author=author)
    IdeaFactory(process=process, title="Parcheggio bici ritirato", status="withdrawn")
    IdeaFactory(title="Parcheggio bici in un altro processo")

    others = similar_ideas(process=process, title="Parcheggio bici", body="", user=UserFactory())
    own = similar_ideas(process=process, title="Parcheggio bici", body="", user=author)

    assert titles(others) == ["Parcheggio bici alla stazione"]
    assert sorted(titles(own)) == ["Parcheggio bici alla stazione", "Parcheggio bici in attesa"]


def test_limit_and_exclusion(process):
    ideas = [IdeaFactory(process=process, title=f"Fontanelle di acqua potabile {n}") for n in range(8)]

    results = similar_ideas(
        process=process,
        title="Fontanelle acqua potabile",
        body="",
        user=AnonymousUser(),
        exclude_pk=ideas[0].pk,
    )

    assert len(results) == 5
    assert ideas[0].pk not in [item.idea.pk for item in results]


def test_empty_text_gives_nothing(process):
    IdeaFactory(process=process, title="Fontanelle di acqua potabile")

    assert similar_ideas(process=process, title="  ", body="per il e la", user=AnonymousUser()) == []


def test_queries_do_not_grow_with_the_ideas(process, django_assert_max_num_queries):
    author = UserFactory()
    Idea.objects.bulk_create(
        Idea(
            process=process,
            author=author,
            title=f"Idea numero {n} sul verde pubblico",
            body="Alberi e panchine nei giardini del quartiere " * 20,
            status="published",
        )
        for n in range(1000)
    )
    with django_assert_max_num_queries(4):
        results = similar_ideas(process=process, title="Alberi nei giardini", body="", user=AnonymousUser())
    assert len(results) == 5
