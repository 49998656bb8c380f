"""The translation catalogues: complete, compiled, faithful to placeholders, and actually used.

Italian is the main language; the English catalogue keeps empty msgstr because the source is English.
After changing strings: `makemessages -l it -l en --no-obsolete --no-location` and `compilemessages`
from src/cittasmart, then commit both the .po and the .mo files.
"""

import re
from pathlib import Path

import polib
import pytest
from django.urls import resolve, reverse
from django.utils import translation

import cittasmart

LOCALE_DIR = Path(cittasmart.__file__).resolve().parent / "locale"
LANGUAGES = ["it", "en"]

AMBITI = [
    "Smart Governance",
    "Smart Economy",
    "Smart Mobility",
    "Smart Environment",
    "Smart People",
    "Smart Living",
    "Smart ICT Infrastructures",
]

NAMED_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
POSITIONAL_PLACEHOLDER = re.compile(r"%[sdif]")
BRACE_PLACEHOLDER = re.compile(r"\{\w*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
URL_CONVERTER = re.compile(r"<[^<>]+>")
URL_PATTERN_MSGID = re.compile(r"^[a-z0-9_\-<>:.]*/[a-z0-9_\-<>:/.]*$")
URL_PATTERN_MSGSTR = re.compile(r"^[a-z0-9_\-/.]+$")
UNDECODED_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{)")


def po_file(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def live_entries(po) -> list:
    return [entry for entry in po if not entry.obsolete]


def placeholders(text: str) -> dict:
    """What must survive translation: named and brace placeholders (as sets), positional ones (in order)."""
    without_literal_percent = text.replace("%%", "")
    return {
        "named": set(NAMED_PLACEHOLDER.findall(without_literal_percent)),
        "positional": POSITIONAL_PLACEHOLDER.findall(NAMED_PLACEHOLDER.sub("", without_literal_percent)),
        "braces": set(BRACE_PLACEHOLDER.findall(text)),
        "html": sorted(HTML_TAG.findall(text)),
    }


def placeholder_problems(entry) -> list[str]:
    """Differences between the placeholders of the source and those of each translated form."""
    if entry.msgid_plural:
        pairs = [
            (entry.msgid if index == 0 else entry.msgid_plural, msgstr)
            for index, msgstr in sorted(entry.msgstr_plural.items())
        ]
    else:
        pairs = [(entry.msgid, entry.msgstr)]
    return [
        f"{source!r} -> {translated!r}"
        for source, translated in pairs
        if translated and placeholders(source) != placeholders(translated)
    ]


def url_problems(entry) -> list[str]:
    """A translated URL pattern stays a lowercase ASCII path, ends like its source, keeps its converters."""
    if not URL_PATTERN_MSGID.match(entry.msgid) or not entry.msgstr:
        return []
    problems = []
    if not URL_PATTERN_MSGSTR.match(URL_CONVERTER.sub("", entry.msgstr)):
        problems.append(f"{entry.msgid!r} -> {entry.msgstr!r}: not a lowercase ASCII path")
    if entry.msgid.endswith("/") != entry.msgstr.endswith("/"):
        problems.append(f"{entry.msgid!r} -> {entry.msgstr!r}: the trailing '/' differs")
    if URL_CONVERTER.findall(entry.msgid) != URL_CONVERTER.findall(entry.msgstr):
        problems.append(f"{entry.msgid!r} -> {entry.msgstr!r}: path converters changed")
    return problems


def catalogue_as_dict(entries) -> dict:
    """msgid (with context and plural) -> msgstr, comparable between a .po and a .mo."""
    result = {}
    for entry in entries:
        if not entry.msgid:  # the header
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural or None)
        if entry.msgid_plural:
            result[key] = tuple(msgstr for _, msgstr in sorted(entry.msgstr_plural.items()))
        else:
            result[key] = entry.msgstr
    return result


# -- (a) the Italian catalogue is complete ----------------------------------------------------------------


def test_italian_catalogue_has_no_untranslated_entries():
    po = po_file("it")
    assert len(live_entries(po)) > 100, "the Italian catalogue looks empty: run makemessages"
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    assert untranslated == [], f"untranslated Italian entries: {untranslated}"


def test_italian_catalogue_has_no_fuzzy_entries():
    po = po_file("it")
    fuzzy = [entry.msgid for entry in live_entries(po) if "fuzzy" in entry.flags]
    assert fuzzy == [], f"fuzzy Italian entries (check them, then drop the flag): {fuzzy}"
    assert not po.metadata_is_fuzzy, "the header of the Italian catalogue is fuzzy"


def test_catalogue_headers_declare_language_and_plural_forms():
    for language in LANGUAGES:
        po = po_file(language)
        assert po.metadata.get("Language") == language
        assert po.metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
        assert "charset=UTF-8" in po.metadata.get("Content-Type", "")


def test_english_catalogue_keeps_the_source_strings():
    translated = [entry.msgid for entry in po_file("en").translated_entries()]
    assert translated == [], f"the English catalogue should stay empty (source is English): {translated}"


def test_ambiti_keep_their_english_names_in_italian():
    by_msgid = {entry.msgid: entry.msgstr for entry in live_entries(po_file("it"))}
    for name in AMBITI:
        assert by_msgid.get(name) == name, f"{name!r} must exist and keep its English name"


# -- (b) the committed .mo files match their .po ---------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_po(language):
    path = mo_path(language)
    assert path.exists(), f"{path} is missing: run compilemessages and commit the .mo file"
    po = po_file(language)
    mo = polib.mofile(str(path))
    expected = catalogue_as_dict(entry for entry in po.translated_entries() if not entry.obsolete)
    compiled = catalogue_as_dict(mo)
    missing = sorted(set(expected) - set(compiled), key=str)
    extra = sorted(set(compiled) - set(expected), key=str)
    different = sorted(
        (key for key in set(expected) & set(compiled) if expected[key] != compiled[key]), key=str
    )
    assert (missing, extra, different) == ([], [], []), (
        f"{path.name} ({language}) is stale, run compilemessages: "
        f"missing {missing[:5]}, extra {extra[:5]}, different {different[:5]}"
    )
    assert mo.metadata.get("Language") == language, "the compiled header is missing (fuzzy header?)"


# -- (c) placeholders, markup and URL patterns survive translation ----------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_preserved(language):
    problems = [
        problem for entry in live_entries(po_file(language)) for problem in placeholder_problems(entry)
    ]
    assert problems == [], "placeholders differ:\n" + "\n".join(problems)


def test_translated_url_patterns_are_valid_paths():
    problems = [problem for entry in live_entries(po_file("it")) for problem in url_problems(entry)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Page %(n)s of %(total)s", "Pagina %(n)s"),
        ("Page %(n)s of %(total)s", "Pagina %(numero)s di %(total)s"),
        ("Logo of %(name)s", "Logo di %(name)d di %s"),
        ("Hello {name}", "Ciao"),
        ("Read the <a>notice</a>", "Leggi l'informativa"),
    ],
)
def test_placeholder_check_catches_a_broken_translation(msgid, msgstr):
    assert placeholder_problems(polib.POEntry(msgid=msgid, msgstr=msgstr))


def test_placeholder_check_catches_a_broken_plural_form():
    entry = polib.POEntry(
        msgid="%(counter)s organisation",
        msgid_plural="%(counter)s organisations",
        msgstr_plural={0: "%(counter)s organizzazione", 1: "organizzazioni"},
    )
    assert placeholder_problems(entry)


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("accessibility/", "accessibilità/"),
        ("legal-notes/", "note legali/"),
        ("<slug:slug>/edit/", "<slug:id>/modifica/"),
        ("<slug:slug>/edit/", "<slug:slug>/modifica"),
        ("<slug:slug>/edit/", "Modifica/"),
        ("rounds/<slug:slug>/report.csv", "rilevazioni/<slug:slug>/rapporto.csv/"),
    ],
)
def test_url_check_catches_a_broken_pattern(msgid, msgstr):
    assert url_problems(polib.POEntry(msgid=msgid, msgstr=msgstr))


def test_msgids_have_no_undecoded_unicode_escapes():
    """xgettext keeps "\\u201c" in Python source as a literal backslash sequence, while at run time the
    string holds the character itself: the lookup never matches and the text stays in English.
    Write the character (“ ” – …) in the source instead of the escape."""
    escaped = [entry.msgid for entry in live_entries(po_file("it")) if UNDECODED_ESCAPE.search(entry.msgid)]
    assert escaped == [], f"msgids with undecoded escapes (never translated at run time): {escaped}"


# -- (d) Django actually serves Italian first, English second ----------------------------------------------

KEY_STRINGS = {
    "Skip to main content": "Vai al contenuto principale",
    "Log in": "Accedi",
    "Log out": "Esci",
    "Your profile": "Area personale",
    "Organisations": "Organizzazioni",
    "Participated company": "Società partecipata",
    "Plan office": "Ufficio di Piano",
    "Privacy notice": "Informativa privacy",
    "Accessibility statement": "Dichiarazione di accessibilità",
    "Legal notes": "Note legali",
    "Cookie notice": "Informativa sui cookie",
}


@pytest.mark.parametrize(("english", "italian"), KEY_STRINGS.items())
def test_key_strings_are_italian_and_english(english, italian):
    with translation.override("it"):
        assert translation.gettext(english) == italian
    with translation.override("en"):
        assert translation.gettext(english) == english


@pytest.mark.parametrize(("count", "italian"), [(1, "1 organizzazione"), (7, "7 organizzazioni")])
def test_plural_forms_are_used(count, italian):
    with translation.override("it"):
        text = translation.ngettext("%(counter)s organisation", "%(counter)s organisations", count)
        assert text % {"counter": count} == italian


def test_urls_are_translated():
    with translation.override("it"):
        assert reverse("stakeholders:list") == "/organizzazioni/"
        assert reverse("stakeholders:update", kwargs={"slug": "alia"}) == "/organizzazioni/alia/modifica/"
        assert reverse("core:accessibility") == "/accessibilita/"
        assert resolve("/organizzazioni/nuova/").view_name == "stakeholders:create"
    with translation.override("en"):
        assert reverse("stakeholders:list") == "/en/organisations/"
        assert reverse("stakeholders:update", kwargs={"slug": "alia"}) == "/en/organisations/alia/edit/"
        assert reverse("core:accessibility") == "/en/accessibility/"


@pytest.mark.django_db
def test_pages_are_served_in_italian_and_english(client):
    italian = client.get("/organizzazioni/")
    assert italian.status_code == 200
    assert '<html lang="it">' in italian.text
    assert "Vai al contenuto principale" in italian.text
    assert "Informativa privacy" in italian.text
    english = client.get("/en/organisations/")
    assert english.status_code == 200
    assert '<html lang="en">' in english.text
    assert "Skip to main content" in english.text
    assert "Vai al contenuto principale" not in english.text
