"""Every HTML endpoint that accepts a POST, found by walking the URL resolver, and how to fuzz each one: who may
use it, the objects its address names, and the page whose form posts to it (the fields are read from that form,
so a field added to a form is fuzzed without changing this file).

A new POST endpoint must be added to ``ENDPOINTS`` or to ``EXCLUDED`` (with the reason): ``test_coverage`` fails
until it is."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tests.fuzz import strategies

# --- Discovery -----------------------------------------------------------------------------------------------


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield (
                prefix + str(pattern.pattern),
                namespace + (pattern.name or str(pattern.pattern)),
                pattern.callback,
            )


def allowed_methods(view) -> set[str] | None:
    """The methods a view accepts, read from ``require_http_methods`` (through the other decorators) or from a
    class-based view; None when the view does not say."""
    seen, function = set(), view
    while function is not None and id(function) not in seen:
        seen.add(id(function))
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                return set(value)
        function = getattr(function, "__wrapped__", None)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    return None


def post_routes() -> dict[str, str]:
    """URL name → route of every page that accepts POST (or does not say), but those of ``EXCLUDED_PREFIXES``."""
    found = {}
    for route, name, view in _walk(get_resolver().url_patterns):
        if name.startswith(tuple(EXCLUDED_PREFIXES)):
            continue
        methods = allowed_methods(view)
        if methods is None or "POST" in methods:
            found.setdefault(name, route)
    return found


# --- Plausible files -----------------------------------------------------------------------------------------


def pdf_file():
    from cittasmart.documents.demo_files import simple_pdf

    return SimpleUploadedFile(
        "documento.pdf", simple_pdf("Documento", ["Riga"]), content_type="application/pdf"
    )


def png_file():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (0, 102, 204)).save(buffer, "PNG")
    return SimpleUploadedFile("immagine.png", buffer.getvalue(), content_type="image/png")


def _example(column) -> str:
    return "Organisation A" if column.name == "owner" else column.example


def survey_csv():
    """A CSV of survey records with the real columns, each cell the example value or a hostile one."""
    from cittasmart.survey.tabular import COLUMNS

    def build(cells, rows, delimiter):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow([c.name for c in COLUMNS])
        for row in range(rows):
            writer.writerow([cells.get((row, i), _example(column)) for i, column in enumerate(COLUMNS)])
        return SimpleUploadedFile("records.csv", out.getvalue().encode("utf-8", "surrogatepass"), "text/csv")

    cell_text = strategies.hostile.map(lambda v: v[:5000])  # a 1 MB cell is another test (file size)
    cells = st.dictionaries(st.tuples(st.integers(0, 2), st.integers(0, 21)), cell_text, max_size=6)
    return st.builds(build, cells, st.integers(1, 3), st.sampled_from([",", ";"]))


def survey_xlsx():
    """A workbook with the real columns and typed cells: text, huge and odd numbers, dates, booleans."""
    import datetime

    from openpyxl import Workbook

    from cittasmart.survey.tabular import COLUMNS

    typed = st.one_of(
        strategies.hostile.map(lambda v: "".join(c for c in v[:3000] if c >= " " or c in "\t\n")),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(min_value=datetime.date(1900, 1, 1)),
        st.booleans(),
        st.none(),
    )

    def build(cells):
        book = Workbook()
        sheet = book.active
        sheet.append([c.name for c in COLUMNS])
        row = [_example(c) for c in COLUMNS]
        for index, value in cells.items():
            row[index] = value
        try:
            sheet.append(row)
        except ValueError:  # openpyxl refuses some values itself
            sheet.append([_example(c) for c in COLUMNS])
        buffer = io.BytesIO()
        book.save(buffer)
        return SimpleUploadedFile(
            "records.xlsx",
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

    return st.builds(build, st.dictionaries(st.integers(0, len(COLUMNS) - 1), typed, max_size=5))


def _previewed_import_job(world):
    """A checked file waiting for confirmation, for the "confirm" and "discard" buttons."""
    from cittasmart.survey import importing

    job, _result = importing.job_create(
        actor=world.actor("plan_office"),
        survey_round=world.survey_round,
        filename="records.csv",
        content=survey_csv_file().read(),
    )
    assert job is not None, _result.errors
    world.objects["import_job"] = job


def survey_csv_file():
    """A valid CSV of one record, with the example of each column."""
    from cittasmart.survey.tabular import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow([_example(c) for c in COLUMNS])
    return SimpleUploadedFile("records.csv", out.getvalue().encode(), "text/csv")


# --- The endpoints -------------------------------------------------------------------------------------------


def no_kwargs(world) -> dict:
    return {}


@dataclass(frozen=True)
class Endpoint:
    name: str
    actor: str
    kwargs: Callable = no_kwargs
    # The page whose form posts here (default: the endpoint itself) and its address.
    page: str | None = None
    page_kwargs: Callable | None = None
    page_query: str = ""
    # Plausible values for fields (added to what the form offers), or fields the page does not show; or a
    # function of the world that returns them.
    values: dict | Callable = field(default_factory=dict)
    # Strategies or factories of plausible files, for the file fields.
    files: tuple = ()
    # Run once before the examples (inside the test's transaction), to put the world in the state the
    # endpoint needs.
    prepare: Callable | None = None
    # Tables a refusal may still write, with the reason.
    refusal_writes: frozenset = frozenset()
    # Extra request headers (htmx requests get a partial of the same page).
    headers: dict = field(default_factory=dict)
    # The actor confirmed their password a moment ago (allauth asks for it again before changing authenticators).
    reauthenticated: bool = False
    # Run after logging the actor in, before the page is read and before each example is posted: for an
    # endpoint that is a step of a flow started in the session (``start(client, world)``).
    start: Callable | None = None


def _slug(name):
    return lambda w: {"slug": getattr(w, name).slug}


def _pk(name, key="pk"):
    return lambda w: {key: getattr(w, name).pk}


def _publish_draft(world):
    from tests.factories import publish

    publish(world.draft)


def _pending_registration(world):
    """A registration waiting for the confirmation of its e-mail address (its token is in the address)."""
    from tests.factories import RegistrationFactory

    RegistrationFactory(
        meeting=world.meeting, token="pending-token-0001", status="pending", queued_at=None, confirmed_at=None
    )


def _authenticator(world):
    """The citizen has an authenticator app (TOTP); its secret is kept to compute valid codes."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    world.objects["totp_secret"] = generate_totp_secret()
    TOTP.activate(world.actor("citizen"), world.objects["totp_secret"])


def _totp_code(world) -> dict:
    """The code the citizen's authenticator app shows now, and one it does not."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return {"code": [format_hotp_value(hotp_value(world.totp_secret, counter)), "000000"]}


def _login_in_progress(client, world):
    """The citizen, who has an authenticator, gave the right password: the login waits for the code."""
    from django.urls import reverse

    response = client.post(
        reverse("account_login"), {"login": world.actor("citizen").email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), response


def _password_less(world):
    world.actor("other_citizen").set_unusable_password()
    world.actor("other_citizen").save(update_fields=["password"])


E = Endpoint
ENDPOINTS: dict[str, Endpoint] = {
    e.name: e
    for e in [
        # Core and accounts
        E("set_language", "anonymous", page="core:home", values={"language": ["en", "it"], "next": ["/"]}),
        E("core:accessibility", "anonymous"),
        E("core:site_settings", "administrator", files=(png_file,)),
        E(
            "core:accessibility_feedback_handled",
            "plan_office",
            _pk("feedback"),
            page="core:accessibility_feedback",
            values={"handled": ["1", "0"]},
        ),
        E("accounts:profile", "citizen"),
        E("accounts:erase", "citizen", values={"password": [PASSWORD]}),
        E("accounts:roles", "administrator", values=lambda w: {"email": [w.actor("other_citizen").email]}),
        E(
            "accounts:role_revoke",
            "administrator",
            lambda w: {"pk": w.role_holder.pk, "role": "moderator"},
            page="accounts:roles",
        ),
        # allauth
        E(
            "account_login",
            "anonymous",
            values=lambda w: {"login": [w.actor("citizen").email], "password": [PASSWORD]},
        ),
        E("account_logout", "citizen"),
        E(
            "account_signup",
            "anonymous",
            values={"privacy_accepted": ["on"], "password2": ["a-long-test-password-42"]},
        ),
        E("account_reauthenticate", "citizen", values={"password": [PASSWORD]}),
        E(
            "account_email",
            "citizen",
            values={"action_add": [""], "action_remove": [""], "action_primary": [""]},
        ),
        E("account_change_password", "citizen", values={"oldpassword": [PASSWORD]}),
        E("account_set_password", "other_citizen", prepare=_password_less),
        E("account_reset_password", "anonymous"),
        E("account_confirm_login_code", "anonymous", page="account_login", values={"code": ["ABCDEF"]}),
        E("account_confirm_email", "anonymous", lambda w: {"key": "not-a-key"}, values={"key": ["x"]}),
        E(
            "account_reset_password_from_key",
            "anonymous",
            lambda w: {"uidb36": "1", "key": "set-password"},
            values={"password1": ["a-long-new-password-43"], "password2": ["a-long-new-password-43"]},
        ),
        E("mfa_reauthenticate", "citizen", prepare=_authenticator, values=_totp_code),
        E("mfa_activate_totp", "citizen", reauthenticated=True, values={"code": ["123456"]}),
        E("mfa_deactivate_totp", "citizen", prepare=_authenticator, reauthenticated=True),
        E("mfa_generate_recovery_codes", "citizen", prepare=_authenticator, reauthenticated=True),
        E(
            "mfa_authenticate",
            "anonymous",
            prepare=_authenticator,
            start=_login_in_progress,
            values=_totp_code,
        ),
        # Stakeholders
        E("stakeholders:create", "plan_office", files=(png_file,)),
        E("stakeholders:update", "plan_office", _slug("organisation"), files=(png_file,)),
        E("stakeholders:delete", "plan_office", _slug("other_organisation")),
        E(
            "stakeholders:membership_add",
            "plan_office",
            _slug("organisation"),
            page="stakeholders:detail",
            values=lambda w: {"email": [w.actor("citizen").email, "nobody@example.org"]},
        ),
        E(
            "stakeholders:membership_remove",
            "plan_office",
            lambda w: {"slug": w.other_organisation.slug, "pk": w.membership.pk},
            page="stakeholders:detail",
            page_kwargs=_slug("other_organisation"),
        ),
        # Survey
        E("survey:round_create", "plan_office"),
        E("survey:round_update", "plan_office", _slug("survey_round")),
        E("survey:round_status", "plan_office", _slug("survey_round"), page="survey:round_detail"),
        E("survey:round_invite", "plan_office", _slug("survey_round"), page="survey:round_detail"),
        E(
            "survey:import",
            "plan_office",
            _slug("survey_round"),
            files=(survey_csv_file, survey_csv(), survey_xlsx()),
            prepare=_previewed_import_job,
            values=lambda w: {"action": ["check", "confirm", "discard"], "job": [str(w.import_job.pk)]},
        ),
        E(
            "survey:invitation_review",
            "plan_office",
            _pk("submitted"),
            values={"action": ["validate", "return"]},
        ),
        E("survey:questionnaire_general", "representative", _pk("invitation")),
        E("survey:record_create", "representative", lambda w: {"pk": w.invitation.pk, "kind": "project"}),
        E(
            "survey:record_update",
            "representative",
            lambda w: {"pk": w.invitation.pk, "record_pk": w.record.pk},
        ),
        E(
            "survey:record_delete",
            "representative",
            lambda w: {"pk": w.invitation.pk, "record_pk": w.record.pk},
            page="survey:questionnaire",
            page_kwargs=_pk("invitation"),
        ),
        E(
            "survey:questionnaire_submit",
            "representative",
            _pk("invitation"),
            page="survey:questionnaire",
        ),
        # Plan
        E("plan:version_create", "plan_office", prepare=_publish_draft),
        E("plan:version_edit", "plan_office", lambda w: {"version": w.draft.slug}),
        E("plan:version_publish", "plan_office", lambda w: {"version": w.draft.slug}),
        E("plan:action_create", "plan_office", lambda w: {"version": w.draft.slug}),
        E("plan:action_edit", "plan_office", lambda w: {"version": w.draft.slug, "code": w.action.code}),
        E(
            "plan:milestone_add",
            "plan_office",
            lambda w: {"version": w.draft.slug, "code": w.action.code},
            page="plan:action_edit",
            values={"done": ["1", "0"]},
        ),
        E(
            "plan:measurement_add",
            "plan_office",
            lambda w: {"version": w.draft.slug, "code": w.indicator.code},
            values={"value": ["12.5"], "period": ["2021"], "period_end": ["2021-12-31"]},
        ),
        E("plan:manage_governance", "plan_office"),
        # Participation
        E("participation:process_follow", "citizen", _slug("process"), page="participation:process"),
        E("participation:idea_create", "citizen", _slug("process"), files=(png_file, pdf_file)),
        E(
            "participation:idea_edit",
            "citizen",
            lambda w: {"slug": w.process.slug, "pk": w.idea.pk},
            files=(png_file, pdf_file),
        ),
        E("participation:idea_withdraw", "citizen", lambda w: {"slug": w.process.slug, "pk": w.idea.pk}),
        E(
            "participation:idea_support",
            "citizen",
            lambda w: {"slug": w.process.slug, "pk": w.other_idea.pk},
            page="participation:idea",
            values={"op": ["add", "remove"]},
        ),
        E(
            "participation:idea_follow",
            "citizen",
            lambda w: {"slug": w.process.slug, "pk": w.other_idea.pk},
            page="participation:idea",
        ),
        E(
            "participation:comment_create",
            "citizen",
            lambda w: {"slug": w.process.slug, "pk": w.other_idea.pk},
            page="participation:idea",
        ),
        E("participation:idea_report", "citizen", lambda w: {"slug": w.process.slug, "pk": w.other_idea.pk}),
        E("participation:comment_edit", "citizen", _pk("comment")),
        E("participation:comment_delete", "citizen", _pk("comment")),
        E("participation:comment_report", "citizen", _pk("other_comment")),
        E(
            "participation:notifications_read",
            "citizen",
            page="participation:notifications",
        ),
        E("participation:notification_settings", "citizen"),
        E(
            "participation:unsubscribe",
            "anonymous",
            lambda w: {"token": w.notification_settings.unsubscribe_token},
        ),
        E(
            "participation:ambito_follow",
            "citizen",
            page="documents:news_list",
            page_query="?ambito=mobility",
        ),
        E("participation:process_create", "plan_office", files=(png_file,)),
        E("participation:process_edit", "plan_office", _slug("process"), files=(png_file,)),
        E(
            "participation:phase_create",
            "plan_office",
            _slug("process"),
            values={"starts_on": ["2031-01-01"], "ends_on": ["2031-02-01"]},
        ),
        E(
            "participation:phase_edit",
            "plan_office",
            lambda w: {"slug": w.process.slug, "pk": w.phase.pk},
            values={"op": ["delete"]},
        ),
        E(
            "participation:idea_answer",
            "plan_office",
            lambda w: {"slug": w.evaluation.slug, "pk": w.evaluated.pk},
        ),
        E(
            "participation:idea_evaluate",
            "plan_office",
            lambda w: {"slug": w.evaluation.slug, "pk": w.evaluated.pk},
            page="participation:idea",
        ),
        E("participation:moderate_idea", "moderator", _pk("other_idea")),
        E("participation:moderate_comment", "moderator", _pk("other_comment")),
        E(
            "participation:moderate_person",
            "moderator",
            lambda w: {"pk": w.actor("other_citizen").pk},
            values={"op": ["block"], "block-reason": ["Insulti ripetuti"]},
        ),
        # Meetings
        E(
            "meetings:registration_confirm",
            "anonymous",
            lambda w: {"token": "pending-token-0001"},
            prepare=_pending_registration,
        ),
        E(
            "meetings:registration_cancel",
            "citizen",
            lambda w: {"token": w.registration.token},
            page="meetings:registration",
            values={"next": ["mine"]},
        ),
        E("meetings:register", "anonymous", _slug("meeting")),
        E("meetings:checkin", "facilitator", _slug("today_meeting"), values={"code": ["ABCD2345"]}),
        E(
            "meetings:contributions",
            "facilitator",
            lambda w: {"slug": w.today_meeting.slug, "pk": w.today_group.pk},
            values={"form-0-text": ["Più piste ciclabili verso la stazione."]},
        ),
        E(
            "meetings:minutes",
            "facilitator",
            lambda w: {"slug": w.meeting.slug, "pk": w.group.pk},
            files=(pdf_file, png_file),
        ),
        E("meetings:report_edit", "facilitator", _slug("meeting")),
        # Documents and news
        E("documents:create", "plan_office", files=(pdf_file,)),
        E("documents:edit", "plan_office", _pk("document")),
        E("documents:version_create", "plan_office", _pk("document"), files=(pdf_file,)),
        E(
            "documents:news_create",
            "plan_office",
            files=(png_file,),
            values={"image_alt": ["Piazza del Duomo"]},
        ),
        E(
            "documents:news_edit",
            "plan_office",
            _slug("news"),
            files=(png_file,),
            values={"image_alt": ["Piazza del Duomo"]},
        ),
        E("documents:news_publish", "plan_office", _slug("published_news"), page="documents:news_edit"),
        # Open data
        E("opendata:token_issue", "plan_office"),
        E("opendata:token_revoke", "plan_office", _pk("token")),
        E("opendata:export_retry", "anonymous", _pk("export_job"), page="opendata:export_job"),
    ]
}


# Whole namespaces, with the reason.
EXCLUDED_PREFIXES: dict[str, str] = {
    "api:": "The API: its writes are found in its OpenAPI schema and fuzzed by test_api_writes.",
    "admin:": "The Django admin, for administrators only: generated ModelAdmin forms (over 200 addresses); "
    "its custom actions call the same services as the pages fuzzed here.",
}

EXCLUDED: dict[str, str] = {
    "documents:news_feed_rss": "A syndication feed: answers GET only (a Feed object does not declare its methods).",
    "documents:news_feed_atom": "A syndication feed: answers GET only (a Feed object does not declare its methods).",
    "account_email_verification_sent": "allauth's page after sign-up: shows a message, has no form.",
}
