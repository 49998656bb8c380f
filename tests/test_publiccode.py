"""publiccode.yml at the repository root passes the project's own schema check (tools/check_publiccode.py), and
the check catches what it is there to catch, each problem with its own message."""

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "publiccode.yml"
TOOL = ROOT / "tools" / "check_publiccode.py"


def _load_tool():
    spec = importlib.util.spec_from_file_location("check_publiccode", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


@pytest.fixture
def data():
    return yaml.safe_load(FILE.read_text(encoding="utf-8"))


def problems(data) -> list[str]:
    return tool.Checker().check(copy.deepcopy(data))


def run(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), str(path)], capture_output=True, text=True, check=False)


def test_the_repository_file_is_valid():
    result = run(FILE)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_the_repository_file_describes_this_software(data):
    assert data["publiccodeYmlVersion"] == "0.4"
    assert data["legal"]["license"] == "AGPL-3.0-or-later"
    assert data["softwareType"] == "standalone/web"
    assert data["platforms"] == ["web"]
    assert set(data["localisation"]["availableLanguages"]) == {"it", "en"}
    assert set(data["description"]) == {"it", "en"}
    assert data["it"]["countryExtensionVersion"] == "1.0"
    for text in data["description"].values():
        assert "DCAT-AP_IT" in text["longDescription"]
        assert len(text["features"]) >= 5
    version = next(
        line for line in (ROOT / "pyproject.toml").read_text().splitlines() if line.startswith("version")
    )
    assert data["softwareVersion"] == version.split("=")[1].strip().strip('"')


def test_a_missing_required_key_fails(data, tmp_path):
    del data["developmentStatus"]
    path = tmp_path / "publiccode.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run(path)
    assert result.returncode == 1
    assert "developmentStatus: required key is missing" in result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("name"), "name: required key is missing"),
        (lambda d: d["legal"].pop("license"), "legal.license: required key is missing"),
        (lambda d: d["maintenance"].pop("type"), "maintenance.type: required key is missing"),
        (
            lambda d: d["localisation"].pop("localisationReady"),
            "localisation.localisationReady: required key",
        ),
        (
            lambda d: d["description"]["en"].pop("features"),
            "description.en.features: required key is missing",
        ),
        (
            lambda d: d["description"]["it"].update(shortDescription="x" * 151),
            "description.it.shortDescription: is 151 characters long, the maximum is 150",
        ),
        (
            lambda d: d["description"]["en"].update(longDescription="Too short."),
            "description.en.longDescription: is 10 characters long, the minimum is 150",
        ),
        (
            lambda d: d["description"]["en"].update(longDescription="x" * 10_001),
            "description.en.longDescription: is 10001 characters long, the maximum is 10000",
        ),
        (
            lambda d: d["description"]["en"].update(features=[]),
            "description.en.features: must list at least one",
        ),
        (
            lambda d: d["categories"].append("e-participation"),
            "categories: 'e-participation' is not in the standard's list of categories",
        ),
        (lambda d: d.update(releaseDate="23/11/2026"), "releaseDate: must be a date as YYYY-MM-DD"),
        (lambda d: d.update(releaseDate="2026-02-30"), "releaseDate: '2026-02-30' is not a real date"),
        (
            lambda d: d["legal"].update(license="GNU Affero GPL v3"),
            "legal.license: 'GNU Affero GPL v3'",
        ),
        (lambda d: d["legal"].update(license="AGPL-3"), "'AGPL-3' is not an SPDX licence identifier"),
        (lambda d: d.update(developmentStatus="alpha"), "developmentStatus: 'alpha' is not one of"),
        (lambda d: d.update(softwareType="web"), "softwareType: 'web' is not one of"),
        (
            lambda d: d["maintenance"].update(type="volunteers"),
            "maintenance.type: 'volunteers' is not one of",
        ),
        (
            lambda d: d["maintenance"].pop("contacts"),
            "maintenance.contacts: at least one contact is required",
        ),
        (lambda d: d.update(platforms=[]), "platforms: must list at least one platform"),
        (
            lambda d: d["localisation"].update(availableLanguages=["it", "en", "de"]),
            "description.de: missing: every available language needs a description",
        ),
        (
            lambda d: d["localisation"].update(availableLanguages=["italiano"]),
            "'italiano' is not a BCP 47 language tag",
        ),
        (
            lambda d: d["localisation"].update(localisationReady="yes"),
            "localisationReady: must be true or false",
        ),
        (lambda d: d.update(url="not a url"), "url: must be an http(s) URL"),
        (
            lambda d: d["it"].update(countryExtensionVersion="0.2"),
            'it.countryExtensionVersion: must be "1.0"',
        ),
        (lambda d: d["it"]["conforme"].update(gdpr="si"), "it.conforme.gdpr: must be true or false"),
    ],
)
def test_each_problem_is_reported(data, change, message):
    assert not problems(data)
    change(data)
    found = problems(data)
    assert any(message in problem for problem in found), found


def test_every_problem_is_listed_at_once(data, tmp_path):
    data["description"]["it"]["shortDescription"] = "x" * 200
    data["categories"] = ["open-data"]
    data["releaseDate"] = "2026-13-01"
    data["legal"]["license"] = "Proprietary licence"
    del data["softwareType"]
    path = tmp_path / "publiccode.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run(path)
    assert result.returncode == 1
    # The licence has two problems of its own (an unknown word, then a word without an operator).
    assert "7 problem(s)" in result.stderr
    for message in (
        "description.it.shortDescription: is 200 characters long",
        "categories: 'open-data' is not in the standard's list",
        "releaseDate: '2026-13-01' is not a real date",
        "legal.license: 'Proprietary licence'",
        "softwareType: required key is missing",
    ):
        assert message in result.stderr


@pytest.mark.parametrize(
    "expression",
    [
        "AGPL-3.0-or-later",
        "MIT OR Apache-2.0",
        "(MIT AND BSD-3-Clause) OR EUPL-1.2",
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        "GPL-3.0+",
        "LicenseRef-Comune",
    ],
)
def test_valid_spdx_expressions(expression):
    assert tool.spdx_problems(expression) == []


@pytest.mark.parametrize(
    "expression", ["", "MIT OR", "MIT Apache-2.0", "(MIT", "MIT)", "AND MIT", "MIT WITH Foo", "CC BY 4.0"]
)
def test_invalid_spdx_expressions(expression):
    assert tool.spdx_problems(expression)


def test_an_unreadable_file(tmp_path):
    broken = tmp_path / "publiccode.yml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    assert run(broken).returncode == 2
    assert run(tmp_path / "missing.yml").returncode == 2
    not_a_mapping = tmp_path / "list.yml"
    not_a_mapping.write_text("- a\n- b\n", encoding="utf-8")
    result = run(not_a_mapping)
    assert result.returncode == 1
    assert "must be a YAML mapping" in result.stderr


def test_the_date_may_be_an_unquoted_yaml_date(data):
    import datetime

    data["releaseDate"] = datetime.date(2026, 11, 23)
    assert not problems(data)
