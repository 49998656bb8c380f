"""The ``<form method="post">`` of a page, as a browser sees them: for each form, its action and its fields with
the values a person could choose (the default value, the options of a select, the value of a checkbox or of a
named button)."""

import dataclasses
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, file, hidden, submit, number, date, email…
    values: list[str] = field(default_factory=list)  # what the page offers (first: the default)
    multiple: bool = False
    required: bool = False
    # Constraints the browser would enforce, read from the input: plausible values respect them.
    minimum: str | None = None
    maximum: str | None = None
    max_length: int | None = None
    # Out of the keyboard's way (``tabindex="-1"``): a trap for robots, which a person leaves empty.
    hidden_from_people: bool = False

    def add(self, value: str | None) -> None:
        if value is not None and value not in self.values:
            self.values.append(value)


@dataclass
class Form:
    action: str  # an absolute path
    fields: dict[str, Field] = field(default_factory=dict)
    enctype: str = ""


class _Parser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.option: tuple[str | None, list[str], bool] | None = None
        self.textarea: tuple[Field, list[str]] | None = None

    def _field(self, name: str, kind: str, **extra) -> Field:
        found = self.current.fields.get(name)
        if found is None:
            found = self.current.fields[name] = Field(name=name, kind=kind, **extra)
        return found

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            if (attributes.get("method") or "get").lower() == "post":
                action = urljoin(self.page_path, attributes.get("action") or self.page_path)
                self.current = Form(action=urlsplit(action).path, enctype=attributes.get("enctype") or "")
                self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = attributes.get("name")
        required = "required" in attributes
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in ("image", "reset"):
                return
            length = attributes.get("maxlength") or ""
            entry = self._field(
                name,
                kind,
                required=required,
                multiple="multiple" in attributes,
                minimum=attributes.get("min"),
                maximum=attributes.get("max"),
                max_length=int(length) if length.isdigit() else None,
                hidden_from_people=attributes.get("tabindex") == "-1",
            )
            if kind in ("checkbox", "radio"):
                entry.add(attributes.get("value") or "on")
            elif kind != "file":
                entry.add(attributes.get("value") or "")
        elif tag == "button" and name:
            self._field(name, "submit").add(attributes.get("value") or "")
        elif tag == "select" and name:
            self.select = self._field(name, "select", multiple="multiple" in attributes, required=required)
        elif tag == "option" and self.select is not None:
            self.option = (attributes.get("value"), [], "selected" in attributes)
        elif tag == "textarea" and name:
            length = attributes.get("maxlength") or ""
            entry = self._field(
                name, "textarea", required=required, max_length=int(length) if length.isdigit() else None
            )
            self.textarea = (entry, [])

    def handle_data(self, data):
        if self.option is not None:
            self.option[1].append(data)
        if self.textarea is not None:
            self.textarea[1].append(data)

    def _close_option(self):
        if self.option is not None and self.select is not None:
            value, text, selected = self.option
            value = "".join(text).strip() if value is None else value
            if selected:
                self.select.values.insert(0, value)
            else:
                self.select.add(value)
        self.option = None

    def handle_endtag(self, tag):
        if tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            entry, text = self.textarea
            entry.values.insert(0, "".join(text).removeprefix("\n"))
            self.textarea = None
        elif tag == "form":
            self.current = None


def post_forms(html: str, page_path: str) -> list[Form]:
    parser = _Parser(page_path)
    parser.feed(html)
    parser.close()
    return parser.forms


def fields_posting_to(html: str, page_path: str, target_path: str) -> dict[str, Field] | None:
    """The fields of every post form of the page whose action is ``target_path``, merged by name; None when no
    form of the page posts there."""
    merged: dict[str, Field] | None = None
    for form in post_forms(html, page_path):
        if form.action != target_path:
            continue
        merged = {} if merged is None else merged
        for name, entry in form.fields.items():
            if name in merged:
                for value in entry.values:
                    merged[name].add(value)
            else:
                merged[name] = dataclasses.replace(entry, values=list(entry.values))
    return merged
