"""What the fuzz tests send: plausible values (what a person would type or choose, so that some submissions get
through validation and reach the services) mixed with hostile ones (NUL and control characters, right-to-left
marks, emoji, huge numbers, odd dates, megabyte strings, lists where one value is expected, missing keys)."""

import datetime
import io
import string

from hypothesis import strategies as st

from tests.fuzz.htmlforms import Field

MISSING = object()  # the key is not sent at all

MEGABYTE = 1_000_000
# Each one broke some web application once.
NASTY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 5,
    "\t\r\n\x0b\x0c\x1b\x7f",
    "\u202eevil\u202c.exe",  # right-to-left override
    "\u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # Hebrew and Arabic
    "👩‍👩‍👧‍👦🇮🇹🏳️‍🌈",
    "e\u0301" * 40,  # combining accents
    "\ufeff\u200b\u2060",  # BOM, zero-width space and joiner
    "\u2028\u2029\x85",  # separators Python treats as line ends
    "\U0010ffff\U000e0001",  # the last code point, a tag character
    "ǅǈ ß ﬁ İı",  # case mappings that change length
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00%2e%2e%2f",
    "../../etc/passwd",
    "{{ 7*7 }} {% now 'Y' %}",
    "=cmd|' /C calc'!A0",  # CSV injection
    "javascript:alert(1)",
]
# Long text is made when drawn: a strategy holding megabyte literals has a megabyte repr, which hypothesis
# computes (and keeps) more often than one would think.
long_text = st.sampled_from([("x", 256), ("x", 300), ("é", 5001), ("😀", 20_000), ("x", 70_000)]).map(
    lambda pair: pair[0] * pair[1]
)
megabyte_text = st.sampled_from(["x", "é"]).map(lambda char: char * (MEGABYTE // len(char.encode())))
NASTY_NUMBERS = [
    "0",
    "-1",
    "-0",
    "2147483648",
    "9223372036854775808",
    "18446744073709551616",
    "9" * 400,
    "-" + "9" * 400,
    "1e309",
    "1e-400",
    "NaN",
    "Infinity",
    "-inf",
    "0x1F",
    "1_000",
    "１２３",  # full-width digits
    "٣٤",  # Arabic-Indic digits
    "3.14159265358979323846264338327950288419716939937510",
    "99999999999999999999.9999",
    "0.00000000000000000000001",
    "1,5",
    " 7 ",
]
NASTY_DATES = [
    "2021-02-30",
    "2021-13-01",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-2021-01-01",
    "31/12/2021",
    "12/31/2021",
    "2021-06-29T25:61",
    "2021-06-29T09:30:00+99:00",
    "2021-06-29 09:30:00.1234567",
    "29 giugno 2021",
    "1624950000",
    "2021-W26",
    "24:00",
]

utf8_text = st.text(
    alphabet=st.characters(codec="utf-8"), max_size=60
)  # no surrogates: a browser sends UTF-8
control_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Mn"]), max_size=20
)
numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.floats().map(repr),
)
odd_dates = st.one_of(
    st.dates(min_value=datetime.date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(datetime.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat()),
)

# PostgreSQL refuses the NUL character in text (and in JSON): it gets a branch of its own.
with_nul = st.builds(lambda head, tail: f"{head}\x00{tail}", utf8_text, utf8_text)

# Digits for ``str.isdigit()`` that ``int()`` refuses, and more digits than ``int()`` reads: ids and page numbers
# checked with ``isdigit()`` then converted.
odd_digits = st.sampled_from(["²", "¹²³", "①", "1²", "9" * 5000, "٣٤", "１２３"])

hostile = st.one_of(
    with_nul,
    odd_digits,
    st.sampled_from(NASTY_TEXT),
    long_text,
    st.sampled_from(NASTY_NUMBERS),
    st.sampled_from(NASTY_DATES),
    utf8_text,
    control_text,
    numbers,
    odd_dates,
)

TEXT_SAMPLES = [
    "Una proposta per la mobilità sostenibile nel centro storico di Prato.",
    "Smart Prato 2030",
    "Prato",
]
PLAUSIBLE_BY_KIND = {
    "email": ["person@example.org", "città@example.org"],
    "number": ["2021", "3", "0", "1500"],
    "date": [datetime.date.today().isoformat(), "2030-06-29", "2017-07-21"],
    "datetime-local": ["2030-06-29T09:30", "2030-06-29T13:30"],
    "time": ["09:30"],
    "url": ["https://example.org/", "https://www.comune.prato.it/"],
    "tel": ["+39 0574 1234567"],
    "password": ["a-long-test-password-42"],
    "color": ["#0066cc"],
}


CHOICE_KINDS = ("select", "radio", "checkbox", "submit", "hidden")


def _within(entry: Field, text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return True
    low = float(entry.minimum) if entry.minimum not in (None, "") else None
    high = float(entry.maximum) if entry.maximum not in (None, "") else None
    return (low is None or number >= low) and (high is None or number <= high)


def plausible_values(entry: Field, extra: list[str] | None = None) -> list:
    """What a person could send for this field, most likely first: the values the test gives, then what the
    page shows (the selected option, the current text), then what a person would type."""
    if entry.hidden_from_people:
        return [""]
    values = list(extra or [])
    if entry.kind in CHOICE_KINDS:
        options = list(entry.values)
        if options and options[0] == "" and entry.kind == "select":
            options = [*options[1:], ""]  # "---------": a person picks an option
        values += options
    else:
        default = entry.values[0] if entry.values else ""
        if default or not entry.required:
            values.append(default)
        samples = PLAUSIBLE_BY_KIND.get(entry.kind, TEXT_SAMPLES)
        if entry.kind == "number":
            samples = [v for v in (*samples, entry.minimum, entry.maximum) if v not in (None, "")]
            samples = [v for v in samples if _within(entry, v)]
        values += [v[: entry.max_length] if entry.max_length else v for v in samples]
    if entry.kind in ("checkbox", "submit") or not entry.required:
        values.append(MISSING)
    seen, unique = set(), []
    for value in values:
        key = id(value) if value is MISSING else value
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique or [""]


def unchanged_submission(fields: dict[str, Field], extra: dict | None = None, files=()) -> dict:
    """What the page sends when a person submits it as shown (the empty required fields filled in)."""
    extra = extra or {}
    data = {}
    for name in sorted(set(fields) | set(extra)):
        entry = fields.get(name) or Field(name=name, kind="text")
        if entry.kind == "file":
            factories = [f for f in files if not isinstance(f, st.SearchStrategy)]
            value = factories[0]() if factories else MISSING
        else:
            value = plausible_values(entry, extra.get(name))[0]
        data[name] = value
    return _strip_missing(data)


def plausible_value(entry: Field, extra: list[str] | None = None, files=None):
    """What a person could send for this field: as often as not what the page shows."""
    if entry.kind == "file":
        return plausible_files(files or [])
    values = plausible_values(entry, extra)
    plausible = st.one_of(st.just(values[0]), st.sampled_from(values))
    if entry.multiple or entry.kind == "checkbox":
        some = st.lists(
            st.sampled_from(values).filter(lambda v: v is not MISSING), min_size=1, max_size=4, unique=True
        )
        return st.one_of(plausible, some)
    return plausible


def hostile_value(entry: Field, extra: list[str] | None = None, files=None):
    """Anything else: hostile text, nothing, several values (a repeated key) or a file where text is expected."""
    plausible = plausible_value(entry, extra, files)
    options = [
        hostile,
        st.just(MISSING),
        st.lists(st.one_of(plausible.filter(lambda v: v is not MISSING), hostile), min_size=2, max_size=3),
    ]
    if entry.kind == "file":
        options[0] = random_upload()
        options.append(st.lists(random_upload(), min_size=2, max_size=3))
    else:
        options.append(random_upload())
    return st.one_of(*options)


def _strip_missing(data: dict) -> dict:
    return {key: value for key, value in data.items() if value is not MISSING}


@st.composite
def submissions(draw, fields: dict[str, Field], extra: dict | None = None, files=None):
    """A whole POST body for a form: what a person would send, with some fields (or all) replaced by hostile
    values, now and then a key the form does not know and, rarely, one field of a megabyte."""
    extra = extra or {}
    names = sorted(set(fields) | set(extra))
    entries = {name: fields.get(name) or Field(name=name, kind="text") for name in names}
    data = {name: draw(plausible_value(entries[name], extra.get(name), files)) for name in names}
    # How far from a plausible submission: 0 = not at all (what hypothesis shrinks towards), 3 = every field.
    distance = draw(st.integers(0, 3))
    if names and distance:
        changed = (
            names
            if distance == 3
            else draw(st.lists(st.sampled_from(names), max_size=2 * distance, unique=True))
        )
        for name in changed:
            data[name] = draw(hostile_value(entries[name], extra.get(name), files))
    unknown = draw(
        st.dictionaries(
            st.text(alphabet=string.ascii_letters + "_-[]", min_size=1, max_size=12).filter(
                lambda k: k not in data
            ),
            hostile,
            max_size=2,
        )
    )
    data = {**unknown, **data}
    if names and draw(st.integers(0, 7)) == 7:
        # Never more than one: the whole body would pass the upload limit, which is tested once is enough.
        data[draw(st.sampled_from(names))] = draw(megabyte_text)
    return _strip_missing(data)


# --- Files ---------------------------------------------------------------------------------------------------

ODD_NAMES = [
    "file.pdf",
    "",
    ".",
    "..",
    "../../../etc/passwd",
    "a\x00b.pdf",
    "\u202egnp.exe",
    "😀.png",
    "x" * 300 + ".pdf",
    "con.csv",
    "no-extension",
    "double.pdf.exe",
    'quote".csv',
    "new\nline.xlsx",
    "spazio finale .pdf ",
]
ODD_TYPES = [
    "application/pdf",
    "text/csv",
    "image/png",
    "application/octet-stream",
    "text/html",
    "",
    "x/\x00",
]


class OddUpload(io.BytesIO):
    """A file as the test client sends it, with any name (``SimpleUploadedFile`` refuses names like "..", which a
    client can still send)."""

    def __init__(self, content: bytes, name: str, content_type: str):
        super().__init__(content)
        self.name = name
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"OddUpload({self.getvalue()[:40]!r}…, {self.name!r}, {self.content_type!r})"


def random_upload():
    return st.builds(
        OddUpload,
        st.one_of(
            st.binary(max_size=2000),
            st.sampled_from([b"", b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04"]),
        ),
        st.sampled_from(ODD_NAMES),
        st.sampled_from(ODD_TYPES),
    )


def plausible_files(plausible_factories):
    """A file field as a person fills it: a plausible file (made fresh for each example) or none."""
    options = [p if isinstance(p, st.SearchStrategy) else st.builds(p) for p in plausible_factories]
    return st.one_of(*options, st.just(MISSING))
