"""Similar ideas while someone writes one: TF-IDF with cosine similarity over the public ideas of the process.

Pure Python, no index to keep: the titles and the first 2,000 characters of the bodies are read in one query
(``values_list``), folded (lowercase, no accents), split into words of three letters or more, stripped of Italian
and English stop words and reduced by a light stemmer, so that "Biciclette" finds "bicicletta" and "bike lanes"
finds "lane". The title counts twice. A few thousand ideas take a few tens of milliseconds.
"""

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max
from django.db.models.functions import Substr

from cittasmart.participation.models import Idea, IdeaStatus, Process

BODY_CHARS = 2000
THRESHOLD = 0.12
TITLE_WEIGHT = 2

# Short lists of the commonest function words (already folded: no accents), plus words that every idea of a
# participatory process uses and that therefore say nothing about what an idea is about.
_STOP_WORDS = """
    abbia abbiamo allo alla alle agli anche ancora avere aveva bene che chi cio coi col come con contro cosi cui
    dal dalla dalle dagli dai degli dei del della delle dello dentro deve devono dopo dove due ecco era essere
    fare fatto fra gia gli hanno invece lei loro lui mai meno molto nel nella nelle nello negli nei noi non nostra
    nostro nostri nostre ogni oltre ora per perche pero piu poco poi puo quale quali quando quanto quella quelle
    quelli quello questa queste questi questo sara sarebbe se sei sempre senza sia siamo sono sopra sotto sta
    stato sue sua suo suoi sul sulla sulle sullo sugli sui tale tra tre tutta tutte tutti tutto una uno vostra
    vostro voi essa esso essi esse molti molte altro altra altri altre proprio idea idee proposta proposte
    citta comune
    about above after again all also and any are because been before being between both but can could did does
    doing down during each few for from further had has have having her here hers him his how into its itself
    just more most not now off once only other our ours out over own same she should some such than that the
    their theirs them then there these they this those through too under until very was were what when where
    which while who whom why will with would you your yours one two three new make made use used need needs
    like want would could should ideas proposal city town
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

WORD_RE = re.compile(r"[a-z]{3,}")
_TRAILING_VOWELS = "aeiou"


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase without accents: "Perché Città" → "perche citta"."""
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))


def stem(word: str) -> str:
    """A light stemmer for Italian and English: enough to match singulars, plurals and genders.

    English plural "s" ("lanes" → "lane"), then the final vowel of Italian inflections ("biciclette",
    "bicicletta" → "biciclett"; "lane" → "lan"), keeping the hard sound of "-che/-chi", "-ghe/-ghi"."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 3 and word[-1] in _TRAILING_VOWELS:
        word = word[:-1]
        if len(word) > 3 and word.endswith(("ch", "gh")):
            word = word[:-1]
    return word


@lru_cache(maxsize=100_000)
def _term(word: str) -> str:
    """The term a folded word counts as; empty for a stop word."""
    return "" if word in STOP_WORDS else stem(word)


def terms(text: str) -> list[str]:
    """The stemmed words of ``text`` that carry meaning, in order."""
    return [term for term in map(_term, WORD_RE.findall(fold(text))) if term]


def _counts(text: str) -> Counter:
    # Count the words first (in C), then fold each distinct word once: most words repeat.
    counts: Counter = Counter()
    for word, count in Counter(WORD_RE.findall(fold(text))).items():
        term = _term(word)
        if term:
            counts[term] += count
    return counts


def _document(title: str, body: str) -> Counter:
    counts = _counts(body)
    for term, count in _counts(title).items():
        counts[term] += TITLE_WEIGHT * count
    return counts


def _weights(counts: Counter, idf) -> dict[str, float]:
    """Sub-linear term frequency × inverse document frequency, normalised to unit length."""
    weights = {term: (1 + math.log(count)) * idf(term) for term, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if not norm:
        return {}
    return {term: w / norm for term, w in weights.items()}


@dataclass
class _Index:
    """The inverted index of one process's ideas: for each term, the ideas with its weight in them."""

    size: int
    frequency: dict[str, int]
    postings: dict[str, list[tuple[int, float]]]

    def idf(self, term: str) -> float:
        # Smoothed: a term no idea uses gets the highest weight, one every idea uses still counts a little.
        return math.log((1 + self.size) / (1 + self.frequency.get(term, 0))) + 1


def _build_index(process: Process) -> _Index:
    rows = Idea.objects.filter(process=process).values_list("pk", "title", Substr("body", 1, BODY_CHARS))
    documents = [(pk, _document(title, body)) for pk, title, body in rows]
    frequency: Counter = Counter()
    for _pk, counts in documents:
        frequency.update(counts.keys())
    index = _Index(size=len(documents), frequency=dict(frequency), postings={})
    for pk, counts in documents:
        for term, weight in _weights(counts, index.idf).items():
            index.postings.setdefault(term, []).append((pk, weight))
    return index


# Indexes of the processes written in lately, in this worker. A key changes whenever an idea of the process is
# added, changed (its text, state or visibility: every ``save`` moves ``updated_at``) or deleted.
_INDEXES: dict[tuple, _Index] = {}
_INDEXES_KEPT = 8


def _index_for(process: Process) -> _Index:
    state = Idea.objects.filter(process=process).aggregate(count=Count("pk"), last=Max("updated_at"))
    key = (process.pk, process.created_at, state["count"], state["last"])
    index = _INDEXES.get(key)
    if index is None:
        index = _build_index(process)
        for old in [k for k in _INDEXES if k[0] == process.pk]:
            _INDEXES.pop(old, None)
        while len(_INDEXES) >= _INDEXES_KEPT:
            _INDEXES.pop(next(iter(_INDEXES)), None)
        _INDEXES[key] = index
    return index


@dataclass(frozen=True)
class SimilarIdea:
    idea: Idea
    score: float


def similar_ideas(
    *, process: Process, title: str, body: str, user, limit: int = 5, exclude_pk: int | None = None
) -> list[SimilarIdea]:
    """The ideas of ``process`` that ``user`` can see and most resemble the one being written, best first.

    Only ideas above a small similarity threshold are returned; withdrawn ideas are left out (they can no longer
    be supported instead). Four queries at most, whatever the number of ideas."""
    from cittasmart.participation.selectors import ideas_visible

    query = _document(title or "", body or "")
    if not query:
        return []
    index = _index_for(process)
    scores: dict[int, float] = {}
    for term, weight in _weights(query, index.idf).items():
        for pk, doc_weight in index.postings.get(term, ()):
            scores[pk] = scores.get(pk, 0.0) + weight * doc_weight
    ranked = sorted(
        ((score, pk) for pk, score in scores.items() if score >= THRESHOLD and pk != exclude_pk),
        key=lambda item: (-item[0], -item[1]),
    )
    if not ranked:
        return []
    candidates = ideas_visible(user=user, process=process).exclude(status=IdeaStatus.WITHDRAWN)
    visible = set(candidates.values_list("pk", flat=True))
    best = [(score, pk) for score, pk in ranked if pk in visible][:limit]
    if not best:
        return []
    ideas = {
        idea.pk: idea
        for idea in Idea.objects.filter(pk__in=[pk for _score, pk in best]).select_related("process")
    }
    return [SimilarIdea(idea=ideas[pk], score=round(score, 3)) for score, pk in best if pk in ideas]
