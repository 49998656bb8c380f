"""The public read API: lists and details of every dataset, cursor pagination, allow-listed filters, conditional
requests, CORS, rate limit and JSON errors."""

import datetime
import gzip
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.http import http_date

from cittasmart.opendata.api import api  # noqa: F401  (imports the API, and so api_read, in the right order)
from cittasmart.opendata.api_http import etag_of
from cittasmart.opendata.datasets import DATASETS, dataset_get
from tests.factories import (
    ActionFactory,
    IdeaFactory,
    IndicatorFactory,
    MeasurementFactory,
    MeetingFactory,
    OrganisationFactory,
    PlanVersionFactory,
    ProcessFactory,
    SurveyRecordFactory,
    publish,
)

BASE = "/api/v1"
SLUGS = [dataset.slug for dataset in DATASETS]


def make_document(*, title: str = "Public guidelines", access: str = "public", **fields):
    """A library document without a file (the API publishes its metadata; files are served by the library)."""
    from cittasmart.documents.models import Document, DocumentCategory

    category, _created = DocumentCategory.objects.get_or_create(
        slug="api-test", defaults={"name": "API test category"}
    )
    return Document.objects.create(title=title, category=category, access=access, **fields)


def build_public_data() -> dict:
    """At least one public row in every dataset (and a published plan with an indicator that has measurements)."""
    organisation = OrganisationFactory(name="Acme Mobility", slug="acme-mobility")
    record = SurveyRecordFactory(owner=organisation, budget=Decimal("1250.50"))
    version = PlanVersionFactory()
    action = ActionFactory(version=version, responsible=organisation, budget=Decimal("99.90"))
    action.partners.add(organisation)
    indicator = IndicatorFactory(version=version, code="IND-API", source_organisation=organisation)
    measurement = MeasurementFactory(indicator=indicator, value=Decimal("12.5"), period="2021")
    publish(version)
    process = ProcessFactory()
    idea = IdeaFactory(process=process)
    meeting = MeetingFactory()
    document = make_document()
    return {
        "organisations": organisation,
        "survey-records": record,
        "plan-versions": version,
        "actions": action,
        "indicators": indicator,
        "measurements": measurement,
        "processes": process,
        "ideas": idea,
        "meetings": meeting,
        "documents": document,
    }


@pytest.fixture
def public(db):
    return build_public_data()


def get(client, path: str, **headers):
    return client.get(f"{BASE}{path}", headers=headers)


# --- Lists and details ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_each_dataset_lists_its_public_rows_with_the_columns_of_the_dataset(client, public, slug):
    response = get(client, f"/{slug}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next_cursor"] is None and body["next"] is None
    assert [item["id"] for item in body["items"]] == [public[slug].pk]
    assert list(body["items"][0]) == [column.name for column in dataset_get(slug).columns]
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]


@pytest.mark.parametrize("slug", SLUGS)
def test_each_dataset_gives_one_row_by_id_as_its_list_does(client, public, slug):
    listed = get(client, f"/{slug}").json()["items"][0]

    response = get(client, f"/{slug}/{public[slug].pk}")

    assert response.status_code == 200, response.content
    assert response.json() == listed
    assert response["Last-Modified"] == http_date(public[slug].updated_at.timestamp())


@pytest.mark.parametrize("slug", SLUGS)
def test_a_missing_row_is_a_json_404(client, public, slug):
    response = get(client, f"/{slug}/987654321")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_values_keep_their_types(client, public):
    action = get(client, f"/actions/{public['actions'].pk}").json()
    measurement = get(client, f"/measurements/{public['measurements'].pk}").json()
    organisation = get(client, f"/organisations/{public['organisations'].pk}").json()

    assert action["budget"] == 99.9
    assert action["partners"] == ["acme-mobility"]
    assert action["responsible"] == "acme-mobility"
    assert measurement["value"] == 12.5
    datetime.date.fromisoformat(measurement["period_end"])
    assert isinstance(measurement["is_baseline"], bool)
    assert organisation["is_public_body"] is False
    datetime.datetime.fromisoformat(organisation["updated_at"])


def test_the_domains_are_listed_with_slug_and_label(client, db):
    response = client.get(f"{BASE}/ambiti", headers={"Accept-Language": "en"})

    assert response.status_code == 200
    items = response.json()["items"]
    assert {"slug": "mobility", "label": "Smart Mobility"} in [
        {"slug": item["slug"], "label": item["label"]} for item in items
    ]
    assert len(items) == 7


def test_the_measurements_of_an_indicator_of_the_current_plan(client, public):
    response = get(client, "/indicators/IND-API/measurements")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [public["measurements"].pk]


def test_an_indicator_missing_from_the_current_plan_is_a_404(client, public):
    draft = PlanVersionFactory(plan=public["plan-versions"].plan)
    IndicatorFactory(version=draft, code="IND-DRAFT")

    assert get(client, "/indicators/IND-DRAFT/measurements").status_code == 404
    assert get(client, "/indicators/NOPE/measurements").json()["message"]


def test_without_a_published_plan_indicator_measurements_are_a_404(client, db):
    indicator = IndicatorFactory(code="IND-X")
    MeasurementFactory(indicator=indicator)

    response = get(client, "/indicators/IND-X/measurements")

    assert response.status_code == 404
    assert response.json()["message"]


def test_the_write_feed_shares_the_path_of_the_indicator_measurements(client, public):
    """GET and POST of /indicators/{code}/measurements live in two routers: neither may answer 405 to the
    other's method."""
    response = client.post(
        f"{BASE}/indicators/IND-API/measurements", data={}, content_type="application/json"
    )

    assert response.status_code == 401
    assert "Access-Control-Allow-Origin" not in response


# --- Pagination ----------------------------------------------------------------------------------------------


def test_pages_give_every_row_exactly_once(client, db):
    organisations = OrganisationFactory.create_batch(7)

    seen, path, pages = [], f"{BASE}/organisations?limit=3&category=participated_company", 0
    while path:
        body = client.get(path).json()
        seen += [item["id"] for item in body["items"]]
        path, pages = body["next"], pages + 1
        assert pages < 10

    assert pages == 3
    assert seen == sorted(o.pk for o in organisations)


def test_the_next_cursor_also_works_as_a_parameter(client, db):
    organisations = OrganisationFactory.create_batch(3)

    first = get(client, "/organisations?limit=2").json()
    second = get(client, f"/organisations?limit=2&cursor={first['next_cursor']}").json()

    assert [i["id"] for i in first["items"] + second["items"]] == [o.pk for o in organisations]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["garbage", "MTI", "eyJpZCI6IDF9", "%00", "a" * 300])
def test_a_tampered_cursor_is_a_400(client, db, cursor):
    response = get(client, f"/organisations?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["message"]


def test_a_cursor_of_another_list_is_refused(client, public):
    OrganisationFactory.create_batch(2)
    cursor = get(client, "/organisations?limit=1").json()["next_cursor"]

    assert get(client, f"/actions?cursor={cursor}").status_code == 400


def test_a_cursor_with_a_changed_id_is_refused(client, db):
    import base64

    OrganisationFactory.create_batch(3)
    cursor = get(client, "/organisations?limit=1").json()["next_cursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    pk, signature = raw.split(":", 1)
    forged = base64.urlsafe_b64encode(f"{int(pk) + 1}:{signature}".encode()).decode().rstrip("=")

    assert get(client, f"/organisations?cursor={forged}").status_code == 400


@pytest.mark.parametrize("limit", ["0", "-1", "100000", "many"])
def test_a_limit_out_of_range_is_refused_with_a_json_error(client, db, limit):
    response = get(client, f"/organisations?limit={limit}")

    assert 400 <= response.status_code < 500
    assert response.json()["message"]


# --- Filters -------------------------------------------------------------------------------------------------


def test_an_unknown_parameter_is_a_400_naming_it(client, db):
    response = get(client, "/organisations?email=someone@example.org")

    assert response.status_code == 400
    assert "email" in response.json()["message"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_detail_accepts_no_parameters(client, public):
    response = get(client, f"/organisations/{public['organisations'].pk}?category=x")

    assert response.status_code == 400
    assert "category" in response.json()["message"]


def test_an_allowed_filter_narrows_the_list(client, db):
    kept = OrganisationFactory(category="university_research")
    OrganisationFactory(category="enterprise")

    items = get(client, "/organisations?category=university_research").json()["items"]

    assert [item["id"] for item in items] == [kept.pk]


def test_a_filter_across_a_relation_narrows_the_list(client, public):
    other = OrganisationFactory()
    version = public["plan-versions"]
    items = get(client, f"/actions?responsible={other.slug}&version={version.slug}").json()["items"]
    assert items == []
    items = get(client, "/actions?responsible=acme-mobility").json()["items"]
    assert [item["id"] for item in items] == [public["actions"].pk]


def test_a_nul_character_in_a_filter_is_a_400_not_a_database_error(client, db):
    response = get(client, "/organisations?category=a%00b")

    assert response.status_code == 400
    assert response.json()["message"]


def test_the_filters_are_declared_in_the_openapi_schema(client, db):
    schema = client.get(f"{BASE}/openapi.json").json()

    operation = schema["paths"][f"{BASE}/actions"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}

    assert names == {"version", "code", "status", "ambito", "responsible", "limit", "cursor"}
    assert operation["operationId"] == "actions_list"
    for code in ("200", "304", "400", "429"):
        assert code in operation["responses"]
    operation_ids = [
        op["operationId"] for path in schema["paths"].values() for op in path.values() if "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids))


# --- Conditional requests ------------------------------------------------------------------------------------


def test_a_matching_etag_gives_a_304_without_body(client, public):
    first = get(client, "/actions")

    again = get(client, "/actions", **{"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Access-Control-Allow-Origin"] == "*"


def test_a_weak_or_listed_etag_matches_too(client, public):
    etag = get(client, "/actions")["ETag"]

    assert get(client, "/actions", **{"If-None-Match": f'"other", W/{etag}'}).status_code == 304


def test_an_old_etag_gets_the_new_data(client, public):
    first = get(client, f"/actions/{public['actions'].pk}")
    ActionFactory._meta.model.objects.filter(pk=public["actions"].pk).update(
        title="Renamed", updated_at=timezone.now()
    )

    again = get(client, f"/actions/{public['actions'].pk}", **{"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again.json()["title"] == "Renamed"


def test_if_modified_since_gives_a_304_when_nothing_changed(client, public):
    last_modified = get(client, "/organisations")["Last-Modified"]

    assert get(client, "/organisations", **{"If-Modified-Since": last_modified}).status_code == 304
    older = http_date((public["organisations"].updated_at - datetime.timedelta(hours=1)).timestamp())
    assert get(client, "/organisations", **{"If-Modified-Since": older}).status_code == 200


def test_if_modified_since_on_a_detail(client, public):
    path = f"/documents/{public['documents'].pk}"
    last_modified = get(client, path)["Last-Modified"]

    assert get(client, path, **{"If-Modified-Since": last_modified}).status_code == 304


def test_head_gives_the_headers_of_get(client, public):
    got = get(client, "/actions")
    head = client.head(f"{BASE}/actions")

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == got["ETag"]
    assert head["Access-Control-Allow-Origin"] == "*"


# --- CORS ----------------------------------------------------------------------------------------------------


def test_reads_are_open_to_every_origin(client, public):
    response = client.get(f"{BASE}/organisations", headers={"Origin": "https://example.net"})

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    "path", ["/organisations", "/actions/1", "/ambiti", "/indicators/IND-1/measurements"]
)
def test_the_preflight_allows_reads_only(client, db, path):
    response = client.options(
        f"{BASE}{path}",
        headers={
            "Origin": "https://example.net",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert "If-Modified-Since" in response["Access-Control-Allow-Headers"]


def test_the_write_feed_gets_no_cors(client, public):
    response = client.post(
        f"{BASE}/indicators/IND-API/measurements",
        data={"period": "2022", "period_end": "2022-12-31", "value": 1},
        content_type="application/json",
        headers={"Origin": "https://example.net", "Authorization": "Bearer nope"},
    )

    assert "Access-Control-Allow-Origin" not in response


def test_validation_errors_of_reads_are_open_to_every_origin_too(client, db):
    response = get(client, "/organisations/not-a-number")

    assert response.status_code in (400, 404, 422)
    assert response.json()["message"]
    assert response["Access-Control-Allow-Origin"] == "*"


# --- Rate limit ----------------------------------------------------------------------------------------------


def test_beyond_the_rate_limit_a_429_says_when_to_retry(client, db, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert get(client, "/ambiti").status_code == 200

    response = get(client, "/organisations")

    assert response.status_code == 429
    assert response.json()["message"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_page_served_from_the_cache_is_counted_and_a_refused_read_reads_nothing(
    client, db, settings, django_assert_num_queries
):
    """The limit is counted in the same round trip to the cache as the page is read: cached pages and refused
    parameters count as much as the first read, and a read beyond the limit builds no page."""
    settings.API_RATE_LIMIT_PER_MINUTE = 4
    OrganisationFactory.create_batch(3)
    assert get(client, "/organisations").status_code == 200
    with django_assert_num_queries(0):
        assert get(client, "/organisations").status_code == 200  # from the cache
    assert get(client, "/organisations?bogus=1").status_code == 400
    assert get(client, "/ideas").status_code == 200

    with django_assert_num_queries(0):
        refused = [get(client, path).status_code for path in ("/organisations", "/ideas", "/meetings")]

    assert refused == [429, 429, 429]


# --- Hidden rows ---------------------------------------------------------------------------------------------


def test_hidden_and_unpublished_rows_are_neither_listed_nor_given(client, public):
    process = public["processes"]
    hidden_idea = IdeaFactory(process=process, is_hidden=True, title="Hidden idea")
    pending_idea = IdeaFactory(process=process, status="pending", published_at=None)
    unpublished = MeetingFactory(is_published=False)
    reserved = make_document(title="Reserved minutes", access="staff")
    draft = PlanVersionFactory(plan=public["plan-versions"].plan)
    draft_action = ActionFactory(version=draft)
    unvalidated = SurveyRecordFactory(is_validated=False)

    for slug, obj in [
        ("ideas", hidden_idea),
        ("ideas", pending_idea),
        ("meetings", unpublished),
        ("documents", reserved),
        ("plan-versions", draft),
        ("actions", draft_action),
        ("survey-records", unvalidated),
    ]:
        assert get(client, f"/{slug}/{obj.pk}").status_code == 404, slug
        listed = [item["id"] for item in get(client, f"/{slug}").json()["items"]]
        assert obj.pk not in listed and public[slug].pk in listed, slug


# --- Queries -------------------------------------------------------------------------------------------------


def _published_version():
    from cittasmart.plan.models import Plan

    plan = Plan.objects.order_by("id").first()
    return PlanVersionFactory(**({"plan": plan} if plan else {}))


def _many(slug: str, count: int) -> None:
    if slug == "organisations":
        OrganisationFactory.create_batch(count)
    elif slug == "actions":
        version = _published_version()
        for _ in range(count):
            action = ActionFactory(version=version, responsible=OrganisationFactory())
            action.partners.add(OrganisationFactory())
        publish(version)
    elif slug == "survey-records":
        SurveyRecordFactory.create_batch(count)
    elif slug == "ideas":
        IdeaFactory.create_batch(count, process=ProcessFactory())
    elif slug == "measurements":
        version = _published_version()
        indicator = IndicatorFactory(version=version)
        MeasurementFactory.create_batch(count, indicator=indicator)
        publish(version)


@pytest.mark.parametrize("slug", ["organisations", "actions", "survey-records", "ideas", "measurements"])
def test_a_page_costs_the_same_queries_for_5_and_50_rows(
    client, db, slug, django_assert_max_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0  # the cost of reading the page, not of finding it in the cache

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = get(client, f"/{slug}?limit=100")
        assert response.status_code == 200
        return len(queries)

    _many(slug, 5)
    few = count_queries()
    _many(slug, 45)
    assert len(get(client, f"/{slug}?limit=100").json()["items"]) == 50

    many = count_queries()

    assert many == few
    with django_assert_max_num_queries(12):
        get(client, f"/{slug}?limit=100")


def test_error_bodies_are_json_with_a_message(client, db, settings):
    for path in ["/organisations?nope=1", "/organisations?cursor=x", "/organisations/0", "/ideas/12345"]:
        response = get(client, path)
        assert response.status_code >= 400
        assert response["Content-Type"].startswith("application/json")
        assert isinstance(response.json()["message"], str) and response.json()["message"]


# --- Documentation page --------------------------------------------------------------------------------------


def test_the_documentation_page_lists_every_operation_of_the_schema(
    client, db, django_assert_max_num_queries
):
    from django.utils.html import escape

    from tests.helpers import italian

    schema = client.get(f"{BASE}/openapi.json").json()

    with django_assert_max_num_queries(6):
        response = client.get("/opendata/api/")

    assert response.status_code == 200
    page = response.content.decode()
    assert italian("Open data API") in page
    assert 'href="/api/v1/openapi.json"' in page
    for path, item in schema["paths"].items():
        for method in item:
            assert f'<span class="fw-bold">{method.upper()}</span> {path}</code>' in page, (method, path)
    assert "<code>responsible</code>" in page and "<code>cursor</code>" in page
    assert escape('curl -H "Accept: application/json" "http://') in page
    assert "Authorization: Bearer" in page and "Idempotency-Key" in page
    assert "swagger" not in page.lower() and "cdn" not in page.lower()


def test_the_documentation_page_in_english(client, db):
    from tests.helpers import english

    response = client.get("/en/opendata/api/")

    assert response.status_code == 200
    page = response.content.decode()
    assert english("Open data API") in page
    assert "Actions of the Smart City plan" in page
    assert '<html lang="en"' in page


def test_the_documentation_page_is_reachable_by_name(client, db):
    from django.urls import reverse

    assert reverse("opendata:api_docs") == "/opendata/api/"


def test_the_last_change_of_a_dataset_is_cached_until_its_app_writes(client, db):
    """``Last-Modified`` of a list scans every public row: it is read again only after a write."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cittasmart.opendata.datasets import dataset_get

    dataset = dataset_get("organisations")
    OrganisationFactory()
    first = dataset.modified()
    with CaptureQueriesContext(connection) as queries:
        assert dataset.modified() == first
    assert len(queries) == 0

    newer = OrganisationFactory()

    assert dataset.modified() == newer.updated_at > first


def test_a_page_in_the_cache_is_answered_before_routing_as_the_view_answers_it(client, db, monkeypatch):
    from cittasmart.opendata import api_read

    built = []
    page_response = api_read._page_response
    monkeypatch.setattr(
        api_read, "_page_response", lambda *a, **kw: built.append(1) or page_response(*a, **kw)
    )
    OrganisationFactory.create_batch(30)
    headers = {"Accept-Encoding": "gzip", "Origin": "https://example.org"}

    first = get(client, "/organisations?limit=20", **headers)
    again = get(client, "/organisations?limit=20", **headers)
    head = client.head(f"{BASE}/organisations?limit=20")
    other = get(client, "/organisations?limit=10", **headers)

    assert built == [1, 1]  # the first page and the other address: the view; the rest: the cache
    assert again.status_code == head.status_code == other.status_code == 200
    assert again.content == first.content and again["Content-Encoding"] == "gzip"
    for name in (
        "ETag",
        "Last-Modified",
        "Cache-Control",
        "Vary",
        "Access-Control-Allow-Origin",
        "Content-Security-Policy",
        "X-Frame-Options",
        "Content-Type",
    ):
        assert again.get(name) == first.get(name), name
    assert head.content == b"" and int(head["Content-Length"]) > len(first.content)
    assert get(client, "/organisations?limit=20", **{"If-None-Match": first["ETag"]}).status_code == 304


def test_a_page_is_read_again_only_after_a_write(client, db, django_assert_num_queries):
    OrganisationFactory(name="Prima")
    first = get(client, "/organisations")
    with django_assert_num_queries(0):
        again = get(client, "/organisations")
    assert again.content == first.content
    # The validators are kept with the body: the same ETag and Last-Modified, without hashing again.
    assert again["ETag"] == first["ETag"] == etag_of(first.content)
    assert again["Last-Modified"] == first["Last-Modified"]

    OrganisationFactory(name="Seconda")

    after = get(client, "/organisations")
    assert "Seconda" in [item["name"] for item in after.json()["items"]]
    assert after["ETag"] == etag_of(after.content) != first["ETag"]


def test_a_page_is_sent_compressed_to_clients_that_accept_it(client, db, django_assert_num_queries):
    OrganisationFactory.create_batch(30)
    plain = get(client, "/organisations")
    with django_assert_num_queries(0):
        packed = get(client, "/organisations", **{"Accept-Encoding": "gzip, br"})

    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(plain.content)
    assert gzip.decompress(packed.content) == plain.content
    # The same data in another coding: the ETag is the JSON's, weak, and a copy of either form is current.
    assert plain["ETag"] == etag_of(plain.content)
    assert packed["ETag"] == "W/" + plain["ETag"]
    for etag in (plain["ETag"], packed["ETag"]):
        assert get(client, "/organisations", **{"If-None-Match": etag}).status_code == 304
    head = client.head(f"{BASE}/organisations", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in head and head["Content-Length"] == str(len(plain.content))


def test_a_page_is_kept_in_its_gzip_form_only(client, db):
    from django.core.cache import cache
    from django.test import RequestFactory

    from cittasmart.core import pagecache
    from cittasmart.opendata.api_read import READS, _page_keys

    OrganisationFactory.create_batch(30)
    packed = get(client, "/organisations", **{"Accept-Encoding": "gzip"})

    keys = _page_keys(RequestFactory().get(f"{BASE}/organisations"))
    body, gzipped, _etag, _modified = pagecache.kept(keys, READS, cache.get_many(keys))
    assert body is None and gzipped == packed.content  # what is read back on every visit: the bytes sent
    plain = get(client, "/organisations")
    assert "Content-Encoding" not in plain and plain.content == gzip.decompress(gzipped)
