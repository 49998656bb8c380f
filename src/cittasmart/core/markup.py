"""User-written text as a safe Markdown subset: paragraphs, emphasis, lists, quotes, code and links.

Raw HTML in the text is not interpreted (Markdown's HTML parsing is switched off, so it is escaped as text); the
rendered HTML is then cleaned again by an allow-list sanitiser, so nothing but these tags and http(s)/mailto links
can reach a page.
"""

import markdown
import nh3
from markdown.extensions import Extension

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "h3",
    "h4",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


class NoRawHtml(Extension):
    """Markdown without its raw-HTML blocks and inline tags: ``<b>`` stays the text ``<b>``."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


def render_markdown(text: str) -> str:
    """The HTML of ``text`` (safe to mark as safe); an empty string for empty text."""
    if not text or not text.strip():
        return ""
    rendered = markdown.markdown(text, extensions=["sane_lists", NoRawHtml()], output_format="html")
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener ugc",
    )
