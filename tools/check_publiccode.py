#!/usr/bin/env python3
"""Check publiccode.yml against the rules of the standard (publiccode.yml 0.4, Italian extension 1.0).

The project's own check, without network: required keys and their types, allowed values (developmentStatus,
softwareType, maintenance type, categories, platforms), SPDX licence expression, dates as YYYY-MM-DD, a
description for each available language with shortDescription ≤ 150 characters, longDescription of 150–10,000
characters and a non-empty features list, BCP 47 language tags.

Usage: ``python tools/check_publiccode.py [path]`` (default: publiccode.yml at the repository root). Prints every
problem, one a line with the key it is about, and exits 1 when there is any (2 when the file cannot be read).
"""

import datetime
import re
import sys
from pathlib import Path

import yaml

SUPPORTED_VERSIONS = {"0.2", "0.3", "0.4"}
DEVELOPMENT_STATUSES = {"concept", "development", "beta", "stable", "obsolete"}
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}
PLATFORMS = {"web", "windows", "mac", "linux", "ios", "android"}
# The standard's controlled vocabulary of categories (docs/standard/categories-list.rst).
CATEGORIES = {
    "accounting",
    "agile-project-management",
    "applicant-tracking",
    "application-development",
    "appointment-scheduling",
    "backup",
    "billing-and-invoicing",
    "blog",
    "budgeting",
    "business-intelligence",
    "business-process-management",
    "cad",
    "call-center-management",
    "cloud-management",
    "collaboration",
    "communications",
    "compliance-management",
    "contact-management",
    "content-management",
    "crm",
    "customer-service-and-support",
    "data-analytics",
    "data-collection",
    "data-visualization",
    "design",
    "design-system",
    "digital-asset-management",
    "digital-citizenship",
    "document-management",
    "donor-management",
    "e-commerce",
    "e-signature",
    "educational-content",
    "email-management",
    "email-marketing",
    "employee-management",
    "enterprise-project-management",
    "enterprise-social-networking",
    "erp",
    "event-management",
    "facility-management",
    "feedback-and-reviews-management",
    "financial-reporting",
    "fleet-management",
    "fundraising",
    "gamification",
    "geographic-information-systems",
    "grant-management",
    "graphic-design",
    "help-desk",
    "hr",
    "ide",
    "identity-management",
    "instant-messaging",
    "inventory-management",
    "it-asset-management",
    "it-development",
    "it-management",
    "it-security",
    "it-service-management",
    "knowledge-management",
    "learning-management-system",
    "marketing",
    "mind-mapping",
    "mobile-marketing",
    "mobile-payment",
    "network-management",
    "office",
    "online-booking",
    "online-community",
    "payment-gateway",
    "payroll",
    "predictive-analysis",
    "procurement",
    "productivity-suite",
    "project-collaboration",
    "project-management",
    "property-management",
    "real-estate-management",
    "remote-support",
    "resource-management",
    "sales-management",
    "seo",
    "service-desk",
    "social-media-management",
    "survey",
    "talent-management",
    "task-management",
    "taxes-management",
    "test-management",
    "time-management",
    "time-tracking",
    "translation",
    "video-conferencing",
    "video-editing",
    "visitor-management",
    "voip",
    "warehouse-management",
    "web-collaboration",
    "web-conferencing",
    "website-builder",
    "whistleblowing",
    "workflow-management",
}
# SPDX identifiers of the open-source licences a public administration's software commonly uses
# (https://spdx.org/licenses/). Custom licences are written LicenseRef-<name>.
SPDX_LICENCES = {
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSL-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CECILL-2.1",
    "CECILL-B",
    "CECILL-C",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MPL-1.1",
    "MPL-2.0",
    "MS-PL",
    "MulanPSL-2.0",
    "OFL-1.1",
    "OSL-3.0",
    "PostgreSQL",
    "Python-2.0",
    "Unlicense",
    "UPL-1.0",
    "W3C",
    "Zlib",
}
SPDX_EXCEPTIONS = {
    "Classpath-exception-2.0",
    "GCC-exception-3.1",
    "LLVM-exception",
    "OpenJDK-assembly-exception-1.0",
}
SPDX_TOKEN_RE = re.compile(r"\(|\)|[A-Za-z0-9.+\-]+")
# BCP 47: language, optional script, optional region, optional variants (enough for a catalogue's languages).
BCP47_RE = re.compile(
    r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*$", re.IGNORECASE
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$|^https?://localhost(:\d+)?(/\S*)?$")
IPA_RE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")
SHORT_MAX = 150
LONG_MIN, LONG_MAX = 150, 10_000
IT_CONFORME = {"lineeGuidaDesign", "modelloInteroperabilita", "misureMinimeSicurezza", "gdpr"}
IT_PIATTAFORME = {"spid", "cie", "anpr", "pagopa", "io"}


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    # --- helpers ----------------------------------------------------------------------------------------------

    def required(self, data: dict, key: str, kind: type | tuple, path: str = ""):
        full = f"{path}{key}"
        if key not in data or data[key] is None:
            self.problem(full, "required key is missing")
            return None
        return self.typed(data[key], kind, full)

    def optional(self, data: dict, key: str, kind: type | tuple, path: str = ""):
        if key not in data or data[key] is None:
            return None
        return self.typed(data[key], kind, f"{path}{key}")

    def typed(self, value, kind, key: str):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # YAML's booleans are not numbers, and a string is never a list.
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok:
            names = " or ".join(_type_name(k) for k in kinds)
            self.problem(key, f"must be {names}, not {_type_name(type(value))}")
            return None
        return value

    def date(self, value, key: str) -> None:
        if isinstance(value, datetime.datetime):
            self.problem(key, "must be a date as YYYY-MM-DD, without a time")
            return
        if isinstance(value, datetime.date):
            return
        if not isinstance(value, str) or not DATE_RE.match(value):
            self.problem(key, f"must be a date as YYYY-MM-DD, not {value!r}")
            return
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            self.problem(key, f"{value!r} is not a real date")

    def url(self, value: str, key: str) -> None:
        if not URL_RE.match(value):
            self.problem(key, f"must be an http(s) URL, not {value!r}")

    def string_list(self, value, key: str, *, allow_string: bool = False) -> list[str]:
        if allow_string and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"must be a list, not {_type_name(type(value))}")
            return []
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{key}[{index}]", "must be a non-empty string")
            else:
                items.append(item)
        return items

    # --- the sections -----------------------------------------------------------------------------------------

    def check(self, data) -> list[str]:
        if not isinstance(data, dict):
            self.problem("(file)", "must be a YAML mapping of keys")
            return self.problems
        version = self.required(data, "publiccodeYmlVersion", str)
        if version is not None and version not in SUPPORTED_VERSIONS:
            self.problem(
                "publiccodeYmlVersion", f"{version!r} is not one of {', '.join(sorted(SUPPORTED_VERSIONS))}"
            )
        name = self.required(data, "name", str)
        if name is not None and not name.strip():
            self.problem("name", "must not be empty")
        url = self.required(data, "url", str)
        if url is not None:
            self.url(url, "url")
        for key in ("landingURL", "roadmap"):
            value = self.optional(data, key, str)
            if value is not None:
                self.url(value, key)
        self.optional(data, "softwareVersion", str)
        if data.get("releaseDate") is not None:
            self.date(data["releaseDate"], "releaseDate")
        elif data.get("softwareVersion") is not None:
            self.problem("releaseDate", "required when softwareVersion is given")
        self.check_platforms(data)
        self.check_categories(data)
        status = self.required(data, "developmentStatus", str)
        if status is not None and status not in DEVELOPMENT_STATUSES:
            self.problem(
                "developmentStatus", f"{status!r} is not one of {', '.join(sorted(DEVELOPMENT_STATUSES))}"
            )
        software_type = self.required(data, "softwareType", str)
        if software_type is not None and software_type not in SOFTWARE_TYPES:
            self.problem(
                "softwareType", f"{software_type!r} is not one of {', '.join(sorted(SOFTWARE_TYPES))}"
            )
        self.check_legal(data)
        self.check_maintenance(data)
        languages = self.check_localisation(data)
        self.check_description(data, languages)
        self.check_depends_on(data)
        self.check_italy(data)
        return self.problems

    def check_platforms(self, data: dict) -> None:
        if "platforms" not in data or data["platforms"] is None:
            self.problem("platforms", "required key is missing")
            return
        platforms = self.string_list(data["platforms"], "platforms", allow_string=True)
        if isinstance(data["platforms"], list) and not data["platforms"]:
            self.problem("platforms", "must list at least one platform")
        for platform in platforms:
            # The standard allows human-readable values outside its list: only malformed ones are refused.
            if platform not in PLATFORMS and not re.fullmatch(r"[\w .+/-]+", platform):
                self.problem("platforms", f"{platform!r} is not a platform")

    def check_categories(self, data: dict) -> None:
        if "categories" not in data or data["categories"] is None:
            self.problem("categories", "required key is missing")
            return
        categories = self.string_list(data["categories"], "categories")
        if isinstance(data["categories"], list) and not data["categories"]:
            self.problem("categories", "must list at least one category")
        for category in categories:
            if category not in CATEGORIES:
                self.problem("categories", f"{category!r} is not in the standard's list of categories")
        if len(set(categories)) != len(categories):
            self.problem("categories", "lists a category more than once")

    def check_legal(self, data: dict) -> None:
        legal = self.required(data, "legal", dict)
        if legal is None:
            return
        licence = self.required(legal, "license", str, "legal.")
        if licence is not None:
            for message in spdx_problems(licence):
                self.problem("legal.license", message)
        for key in ("mainCopyrightOwner", "repoOwner", "authorsFile"):
            self.optional(legal, key, str, "legal.")

    def check_maintenance(self, data: dict) -> None:
        maintenance = self.required(data, "maintenance", dict)
        if maintenance is None:
            return
        kind = self.required(maintenance, "type", str, "maintenance.")
        if kind is not None and kind not in MAINTENANCE_TYPES:
            self.problem("maintenance.type", f"{kind!r} is not one of {', '.join(sorted(MAINTENANCE_TYPES))}")
        contacts = self.optional(maintenance, "contacts", list, "maintenance.")
        if kind in ("internal", "community") and not contacts:
            self.problem(
                "maintenance.contacts", f"at least one contact is required when the type is {kind!r}"
            )
        for index, contact in enumerate(contacts or []):
            key = f"maintenance.contacts[{index}]"
            if not isinstance(contact, dict):
                self.problem(key, "must be a mapping with at least a name")
                continue
            self.required(contact, "name", str, f"{key}.")
            for field in ("email", "phone", "affiliation"):
                self.optional(contact, field, str, f"{key}.")
            email = contact.get("email")
            if isinstance(email, str) and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                self.problem(f"{key}.email", f"{email!r} is not an e-mail address")
        contractors = self.optional(maintenance, "contractors", list, "maintenance.")
        if kind == "contract" and not contractors:
            self.problem(
                "maintenance.contractors", "at least one contractor is required when the type is 'contract'"
            )
        for index, contractor in enumerate(contractors or []):
            key = f"maintenance.contractors[{index}]"
            if not isinstance(contractor, dict):
                self.problem(key, "must be a mapping with a name and an end date (until)")
                continue
            self.required(contractor, "name", str, f"{key}.")
            if contractor.get("until") is None:
                self.problem(f"{key}.until", "required key is missing")
            else:
                self.date(contractor["until"], f"{key}.until")

    def check_localisation(self, data: dict) -> list[str]:
        localisation = self.required(data, "localisation", dict)
        if localisation is None:
            return []
        self.required(localisation, "localisationReady", bool, "localisation.")
        if localisation.get("availableLanguages") is None:
            self.problem("localisation.availableLanguages", "required key is missing")
            return []
        languages = self.string_list(localisation["availableLanguages"], "localisation.availableLanguages")
        if isinstance(localisation["availableLanguages"], list) and not localisation["availableLanguages"]:
            self.problem("localisation.availableLanguages", "must list at least one language")
        valid = []
        for language in languages:
            if BCP47_RE.match(language):
                valid.append(language)
            else:
                self.problem("localisation.availableLanguages", f"{language!r} is not a BCP 47 language tag")
        return valid

    def check_description(self, data: dict, languages: list[str]) -> None:
        description = self.required(data, "description", dict)
        if description is None:
            return
        if not description:
            self.problem("description", "must have at least one language")
        for language, text in description.items():
            key = f"description.{language}"
            if not isinstance(language, str) or not BCP47_RE.match(language):
                self.problem(key, f"{language!r} is not a BCP 47 language tag")
            if not isinstance(text, dict):
                self.problem(key, "must be a mapping (shortDescription, longDescription, features…)")
                continue
            self.check_language(text, key)
        for language in languages:
            if language not in description:
                self.problem(
                    f"description.{language}", "missing: every available language needs a description"
                )

    def check_language(self, text: dict, key: str) -> None:
        for field in ("localisedName", "genericName", "documentation", "apiDocumentation"):
            value = self.optional(text, field, str, f"{key}.")
            if value is not None and field in ("documentation", "apiDocumentation"):
                self.url(value, f"{key}.{field}")
        generic = text.get("genericName")
        if isinstance(generic, str) and len(generic) > 35:
            self.problem(f"{key}.genericName", f"is {len(generic)} characters long, the maximum is 35")
        short = self.required(text, "shortDescription", str, f"{key}.")
        if short is not None:
            short = short.strip()
            if not short:
                self.problem(f"{key}.shortDescription", "must not be empty")
            elif len(short) > SHORT_MAX:
                self.problem(
                    f"{key}.shortDescription", f"is {len(short)} characters long, the maximum is {SHORT_MAX}"
                )
            if "\n" in short:
                self.problem(f"{key}.shortDescription", "must be a single line")
        long = self.required(text, "longDescription", str, f"{key}.")
        if long is not None:
            length = len(long.strip())
            if length < LONG_MIN:
                self.problem(
                    f"{key}.longDescription", f"is {length} characters long, the minimum is {LONG_MIN}"
                )
            elif length > LONG_MAX:
                self.problem(
                    f"{key}.longDescription", f"is {length} characters long, the maximum is {LONG_MAX}"
                )
        if text.get("features") is None:
            self.problem(f"{key}.features", "required key is missing")
        else:
            features = self.string_list(text["features"], f"{key}.features")
            if not features and isinstance(text["features"], list):
                self.problem(f"{key}.features", "must list at least one feature")
        for field in ("screenshots", "videos", "awards"):
            if text.get(field) is not None:
                self.string_list(text[field], f"{key}.{field}")

    def check_depends_on(self, data: dict) -> None:
        depends = self.optional(data, "dependsOn", dict)
        if depends is None:
            return
        for group, items in depends.items():
            key = f"dependsOn.{group}"
            if group not in ("open", "proprietary", "hardware"):
                self.problem(key, "must be one of open, proprietary, hardware")
            if not isinstance(items, list):
                self.problem(key, "must be a list of dependencies")
                continue
            for index, item in enumerate(items):
                item_key = f"{key}[{index}]"
                if not isinstance(item, dict):
                    self.problem(item_key, "must be a mapping with at least a name")
                    continue
                self.required(item, "name", str, f"{item_key}.")
                for field in ("version", "versionMin", "versionMax"):
                    self.optional(item, field, str, f"{item_key}.")
                self.optional(item, "optional", bool, f"{item_key}.")

    def check_italy(self, data: dict) -> None:
        italy = self.optional(data, "it", dict)
        if italy is None:
            return
        version = self.required(italy, "countryExtensionVersion", str, "it.")
        if version is not None and version != "1.0":
            self.problem("it.countryExtensionVersion", f'must be "1.0", not {version!r}')
        for section, allowed in (("conforme", IT_CONFORME), ("piattaforme", IT_PIATTAFORME)):
            values = self.optional(italy, section, dict, "it.")
            for name, value in (values or {}).items():
                if name not in allowed:
                    self.problem(
                        f"it.{section}.{name}", f"unknown key (allowed: {', '.join(sorted(allowed))})"
                    )
                self.typed(value, bool, f"it.{section}.{name}")
        riuso = self.optional(italy, "riuso", dict, "it.")
        if riuso is not None:
            code = self.required(riuso, "codiceIPA", str, "it.riuso.")
            if code is not None and not IPA_RE.match(code):
                self.problem("it.riuso.codiceIPA", f"{code!r} is not an IPA code (such as c_h501)")


def spdx_problems(expression: str) -> list[str]:
    """What is wrong with an SPDX licence expression (``A``, ``A OR B``, ``(A AND B) WITH E``…)."""
    text = expression.strip()
    if not text:
        return ["must be an SPDX licence expression, such as AGPL-3.0-or-later"]
    leftover = SPDX_TOKEN_RE.sub("", text).strip()
    if leftover:
        return [f"{expression!r} is not an SPDX licence expression (unexpected {leftover[:10]!r})"]
    parts = SPDX_TOKEN_RE.findall(text)
    problems: list[str] = []
    expect_licence = True
    depth = 0
    after_with = False
    for part in parts:
        if part == "(":
            if not expect_licence:
                problems.append(f"{expression!r}: '(' where an operator was expected")
            depth += 1
        elif part == ")":
            depth -= 1
            if depth < 0 or expect_licence:
                problems.append(f"{expression!r}: unbalanced or empty parentheses")
                depth = max(depth, 0)
        elif part in ("AND", "OR", "WITH"):
            if expect_licence:
                problems.append(f"{expression!r}: {part} where a licence was expected")
            expect_licence = True
            after_with = part == "WITH"
        else:
            if not expect_licence:
                problems.append(f"{expression!r}: {part!r} follows a licence without AND, OR or WITH")
            if after_with:
                if part not in SPDX_EXCEPTIONS:
                    problems.append(f"{expression!r}: {part!r} is not an SPDX licence exception")
            elif not (_known_licence(part) or part.startswith("LicenseRef-")):
                problems.append(f"{expression!r}: {part!r} is not an SPDX licence identifier")
            expect_licence = False
            after_with = False
    if expect_licence and parts:
        problems.append(f"{expression!r}: ends where a licence was expected")
    if depth:
        problems.append(f"{expression!r}: unbalanced parentheses")
    return problems


def _known_licence(token: str) -> bool:
    # "GPL-3.0+" is the older spelling of "GPL-3.0-or-later": accept "<id>+" for a known "<id>-only".
    if token in SPDX_LICENCES:
        return True
    return token.endswith("+") and f"{token[:-1]}-only" in SPDX_LICENCES


def _type_name(kind: type) -> str:
    return {
        str: "a string",
        bool: "true or false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }.get(kind, kind.__name__)


def check_file(path: Path) -> list[str]:
    """Every problem of the publiccode.yml at ``path`` (raises OSError or yaml.YAMLError when unreadable)."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return Checker().check(data)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent / "publiccode.yml"
    try:
        problems = check_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{path}: cannot be read: {exc}", file=sys.stderr)
        return 2
    except yaml.YAMLError as exc:
        print(f"{path}: is not valid YAML: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"{path}: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{path}: valid publiccode.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
