"""``render_markdown``: what people write reaches the page as a safe subset of HTML, whatever they type."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cittasmart.core.markup import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """The real elements of ``html`` (escaped text is text), with their attributes decoded as a browser does."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def tags(html: str) -> set[str]:
    return {tag for tag, _attrs in elements(html)}


def scheme(href: str) -> str:
    """The scheme a browser would see (it drops tabs and newlines and leading spaces from URLs)."""
    cleaned = re.sub(r"[\t\n\r]", "", href).strip().lower()
    return urlsplit(cleaned).scheme


# nh3 keeps its harmless generic attributes (lang, title) on every allowed tag.
BENIGN = {"lang", "title"}


def assert_safe(html: str) -> None:
    """Only allowed tags; no attribute but href and rel on links (and benign ones); only http(s) and mailto."""
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, html
        if tag == "a":
            assert set(attrs) <= {"href", "rel", *BENIGN}, html
            assert attrs.get("rel") == "nofollow noopener ugc", html
            if attrs.get("href"):
                assert scheme(attrs["href"]) in {"", "http", "https", "mailto"}, html
        else:
            assert set(attrs) <= BENIGN, html


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_empty_text_gives_empty_html(text):
    assert render_markdown(text) == ""


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hello <script src='https://evil.example/x.js'></script> world",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
    ],
)
def test_script_tags_are_shown_as_text_never_run(text):
    html = render_markdown(text)

    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html.lower() or "&lt;scr" in html.lower()
    assert_safe(html)


@pytest.mark.parametrize(
    "text",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">click</a>',
        "<div onmouseover=alert(1)>hover</div>",
        '<p style="background:url(javascript:alert(1))">styled</p>',
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_event_handlers_and_raw_html_are_neutralised(text):
    html = render_markdown(text)

    assert_safe(html)
    assert not tags(html) - {"p", "a"}, html


@pytest.mark.parametrize(
    "text",
    [
        "<iframe src='https://evil.example'></iframe>",
        "<form action='https://evil.example'><input name=x></form>",
        "<object data='x.swf'></object>",
        "<style>body{display:none}</style>",
        "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
        "<table><tr><td>cell</td></tr></table>",
        "<!-- a comment --> text",
        "<div>\n<b>a block of raw HTML</b>\n</div>",
    ],
)
def test_raw_html_is_never_interpreted(text):
    html = render_markdown(text)

    assert_safe(html)
    assert not tags(html) - {"p", "br"}, html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click]( javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[click](vbscript:msgbox(1))",
        "[click](java&#x09;script:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_links_lose_their_address(text):
    html = render_markdown(text)

    assert_safe(html)
    assert "click" in html or "alert" in html  # the words stay, as text


@pytest.mark.parametrize(
    "text",
    [
        "![a cat](https://example.org/cat.png)",
        "![x](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
        '![x](https://example.org/a.png "title" onerror=alert(1))',
        "![ref]\n\n[ref]: https://example.org/tracker.gif",
    ],
)
def test_images_are_not_embedded(text):
    html = render_markdown(text)

    assert "<img" not in html
    assert_safe(html)


def test_links_keep_their_address_and_get_rel_nofollow():
    html = render_markdown(
        "See [the plan](https://example.org/plan?a=1&b=2) and [write](mailto:ufficio@example.org)"
    )

    assert 'href="https://example.org/plan?a=1&amp;b=2"' in html
    assert 'href="mailto:ufficio@example.org"' in html
    assert html.count('rel="nofollow noopener ugc"') == 2
    assert_safe(html)


@pytest.mark.parametrize(
    "text",
    [
        '[x](https://example.org){: rel="opener" target="_blank"}',
        '<a href="https://example.org" rel="opener" target="_blank">x</a>',
        '[x](https://example.org "title")',
    ],
)
def test_a_link_cannot_set_its_own_rel_or_target(text):
    html = render_markdown(text)

    assert_safe(html)  # rel is always ours; no target


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("**bold**", "<strong>bold</strong>"),
        ("*italic*", "<em>italic</em>"),
        ("_italic_", "<em>italic</em>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("`code`", "<code>code</code>"),
        ("    indented code", "<pre><code>indented code\n</code></pre>"),
        ("### Heading", "<h3>Heading</h3>"),
        ("---", "<hr>"),
        ("first line  \nsecond line", "first line<br>"),
        ("First paragraph.\n\nSecond paragraph.", "<p>First paragraph.</p>\n<p>Second paragraph.</p>"),
        ("Tom & Jerry", "<p>Tom &amp; Jerry</p>"),
        ("3 < 4 and 5 > 4", "<p>3 &lt; 4 and 5 &gt; 4</p>"),
    ],
)
def test_allowed_formatting_is_kept(text, fragment):
    html = render_markdown(text)

    assert fragment in html
    assert_safe(html)


def test_quotes_are_kept():
    assert "<blockquote>" in render_markdown("> As the mayor said, we need more trains.")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("`a && b`", "<code>a &amp;&amp; b</code>"),
        ("`if a < b`", "<code>if a &lt; b</code>"),
        ("    <b>not bold</b>", "<pre><code>&lt;b&gt;not bold&lt;/b&gt;\n</code></pre>"),
    ],
)
def test_code_shows_exactly_what_was_typed(text, fragment):
    assert fragment in render_markdown(text)


def test_headings_above_level_three_do_not_break_the_page_outline():
    html = render_markdown("# Big\n\n## Bigger")

    assert "<h1" not in html and "<h2" not in html
    assert "Big" in html and "Bigger" in html


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [*"<>/=\"' &;:#()[]!*_`-\n\tabcjsvrpti0123", "script", "javascript:", "onerror=", "img ", "data:"]
        ),
        max_size=60,
    ).map("".join)
)
def test_any_text_gives_safe_html(text):
    assert_safe(render_markdown(text))
