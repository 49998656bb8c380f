"""The text search of the site search's providers (and of the document library's word filter).

On PostgreSQL it is a full-text search with the Italian configuration: the words of the query and of the fields are
reduced to their stems ("progetti" finds "progetto", "ciclabili" finds "ciclabile"), the common words of the
language (articles, prepositions…) are left out, and the rows come by relevance, the first field weighing most. The
query is read as a web search engine reads it: ``"piste ciclabili"`` for a phrase, ``-bus`` to leave a word out,
``or`` between alternatives; no query can be a syntax error.

On other databases (SQLite, the embedded default) each word of the query must be in one of the fields
(``core.selectors.every_word_in``, a part of a word is enough) and the rows keep the order of the queryset: no
stems, no common words left out, no relevance.

Fields may follow relations, but only single-valued ones (a foreign key, a one-to-one): a path through a
many-valued relation would repeat a row once per related row. Only the first ``MAX_FIELD_CHARS`` characters of a
field are searched on PostgreSQL: a text search vector cannot exceed 1 MB, and one long document must not break
every search.

No index serves these searches yet: each one computes the vectors of the rows it filters.
"""

from collections.abc import Mapping

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import F, Model, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.db.models.functions import Left

from cittasmart.core.selectors import every_word_in

CONFIG = "italian"
# The site search form takes at most 200 characters; anything longer is cut, not refused.
MAX_QUERY_LENGTH = 200
# At most 4 bytes a character: the words of such a field stay under the 1 MB limit of a text search vector.
MAX_FIELD_CHARS = 200_000
WEIGHTS = ("A", "B", "C", "D")
RANK = "text_search_rank"
VECTOR = "text_search_vector"


def clean_query(query: str) -> str:
    """``query`` without NUL characters (PostgreSQL refuses them) and cut to ``MAX_QUERY_LENGTH``."""
    return (query or "").replace("\x00", " ").strip()[:MAX_QUERY_LENGTH].strip()


def _check_single_valued(model: type[Model], path: str) -> None:
    """Refuse a field path that crosses a many-valued relation or does not end on a plain field."""
    *relations, name = path.split(LOOKUP_SEP)
    for part in relations:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist as exc:
            raise ValueError(
                f"text_search: {model.__name__} has no relation {part!r} (in {path!r})."
            ) from exc
        if not field.is_relation or not (field.many_to_one or field.one_to_one):
            raise ValueError(
                f"text_search: {path!r} crosses {part!r}, which is not a single-valued relation: "
                "the rows would be repeated."
            )
        model = field.related_model
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise ValueError(f"text_search: {model.__name__} has no field {name!r} (in {path!r}).") from exc
    if field.is_relation:
        raise ValueError(f"text_search: {path!r} is a relation, not a text field.")


def _weights(fields: tuple[str, ...], weights: Mapping[str, str] | None) -> dict[str, str]:
    if weights is None:
        return {name: WEIGHTS[min(index, len(WEIGHTS) - 1)] for index, name in enumerate(fields)}
    unknown = set(weights) - set(fields)
    if unknown or not set(weights.values()) <= set(WEIGHTS):
        raise ValueError(f"text_search: weights must be A-D for the fields searched, got {dict(weights)!r}.")
    return {name: weights.get(name, WEIGHTS[-1]) for name in fields}


def _tie_breakers(queryset: QuerySet) -> list:
    """The queryset's own order (explicit, else the model's), ending with the primary key so pages are stable."""
    query = queryset.query
    ordering = list(query.order_by) or (list(queryset.model._meta.ordering) if query.default_ordering else [])
    if not any(item in ("pk", "-pk", "id", "-id") for item in ordering):
        ordering.append("-pk")
    return ordering


def text_search(
    queryset: QuerySet,
    query: str,
    *fields: str,
    weights: Mapping[str, str] | None = None,
    ranked: bool = True,
) -> QuerySet:
    """The rows of ``queryset`` that match ``query`` in ``fields``.

    ``fields`` go from the most to the least important: by default the first weighs A, the second B, the third C,
    the others D; ``weights={"title": "A", "body": "A"}`` chooses (unnamed fields weigh D). On PostgreSQL, with
    ``ranked`` (the default) the most relevant rows come first and the queryset's own order breaks ties; with
    ``ranked=False`` the queryset keeps its order. An empty query, or on PostgreSQL one made only of common words,
    matches nothing.
    """
    if not fields:
        raise ValueError("text_search: name at least one field.")
    for path in fields:
        _check_single_valued(queryset.model, path)
    query = clean_query(query)
    if connections[queryset.db].vendor != "postgresql":
        # The web-search quotes mean nothing here: "piste ciclabili" is two words.
        words = query.replace('"', " ")
        return queryset.filter(every_word_in(words, *fields)) if words.split() else queryset.none()
    if not query:
        return queryset.none()
    vector = None
    for name, weight in _weights(fields, weights).items():
        part = SearchVector(Left(name, MAX_FIELD_CHARS), config=CONFIG, weight=weight)
        vector = part if vector is None else vector + part
    search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
    matches = queryset.alias(**{VECTOR: vector}).filter(**{VECTOR: search_query})
    if not ranked:
        return matches
    ordering = _tie_breakers(queryset)
    return matches.alias(**{RANK: SearchRank(F(VECTOR), search_query)}).order_by(F(RANK).desc(), *ordering)
