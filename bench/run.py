"""``make bench``: the load benchmark of cittasmart on PostgreSQL, with the targets of bench/README.md.

It needs PostgreSQL and Redis (as on the CI machines) and wrk (``make bench`` installs Debian's package when it
can). Steps:

1. the bench database (``--database-url``, default ``cittasmart_bench``) is created and migrated when missing,
   and filled with ``generate_data --scale L`` (or ``--scale``) unless it already holds that much;
2. the app runs under gunicorn with 2 workers, ``DEBUG`` off, the Redis cache, and rate limits raised (all the
   load comes from one address and a few thousand accounts: the limits would answer most of it with 429);
3. each scenario is warmed up, then driven by wrk on loopback: a closed-loop run at ``--connections`` for the
   throughput, and a fixed-rate run at half that throughput for the latency percentiles (p99 from a
   saturated run measures the queue, not the page);
4. the write scenarios: supports from 200 concurrent clients (each request a different person and idea), and
   1,000 people registering at once for a new 100-seat meeting;
5. the supports CSV export of every support row, in a separate process, with its peak RSS;
6. the invariants are checked in the database; the results go to ``bench/results/<timestamp>.json`` and a
   Markdown table is printed, with each scenario's ratio to the hello-view floor measured in the same run, just
   before and after the scenario (the machine's speed drifts over minutes).

Usage: ``make bench`` or ``.venv/bin/python bench/run.py [--scale S] [--duration 10] [--connections 32]``.
"""

import argparse
import datetime
import json
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
LUA = ROOT / "bench" / "wrk" / "scenario.lua"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cittasmart_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
SUPPORT_CLIENTS = 200
REGISTRANTS = 1000
SEATS = 100
THREADS = 2

# The targets of bench/README.md.
LIST_PAGES = ("home", "idea_list", "survey_catalogue", "meeting_list", "api_list")
TARGET_LIST_RATIO = 0.5
TARGET_P99_MS = 50.0
TARGET_DEEP_RATIO = 1.5
TARGET_SUPPORTS_PER_SECOND = 1000
TARGET_EXPORT_MIB = 150


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DEBUG": "0",
            "PRODUCTION": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECRET_KEY": "bench-" + "x" * 50,
            "RATE_LIMIT_WRITES_PER_MINUTE": str(10**9),
            "API_RATE_LIMIT_PER_MINUTE": str(10**9),
            "API_WRITE_RATE_LIMIT_PER_MINUTE": str(10**9),
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "cittasmart.config.settings",
        }
    )
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def ensure_database(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(
        ["psql", server, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["psql", server, "-qc", f'CREATE DATABASE "{name}"'], check=True)


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- The data ------------------------------------------------------------------------------------------------


def ensure_data(env: dict, scale: str) -> None:
    from cittasmart.core.generate.scales import SCALES
    from cittasmart.participation.models import Support

    if Support.objects.count() >= SCALES[scale].supports:
        print(f"The bench database already holds scale {scale} data.")
        return
    started = time.monotonic()
    manage(env, "generate_data", "--scale", scale)
    print(f"generate_data --scale {scale}: {time.monotonic() - started:.0f} s")


def session_cookie(user) -> str:
    """A logged-in session of ``user`` and a CSRF token, as the browser of that person would send them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    session = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    session[SESSION_KEY] = str(user.pk)
    # The backend a real login records: the first that can load a user (axes and rules only answer questions).
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def prepare(run_dir: Path, duration: int) -> dict:
    """The addresses of the read scenarios and the request files of the write scenarios."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from cittasmart.meetings.models import Meeting
    from cittasmart.participation.models import Idea, Support
    from cittasmart.plan.models import Action
    from cittasmart.survey.models import SurveyRecord

    User = get_user_model()
    idea = (
        Idea.objects.filter(status="published", is_hidden=False)
        .order_by("pk")
        .select_related("process")
        .first()
    )
    process = idea.process
    busiest = (
        Idea.objects.filter(process=process, status="published", is_hidden=False)
        .order_by("-support_count")
        .only("pk")
        .first()
    )
    action = (
        Action.objects.filter(version__status="published").select_related("version").order_by("pk").first()
    )
    ambito = SurveyRecord.objects.order_by("pk").values_list("reference_ambito", flat=True).first()
    paths = {
        "floor_hello": reverse("core:health"),
        "floor_static": static_path(),
        "home": reverse("core:home"),
        "idea_list": reverse("participation:idea_list", kwargs={"slug": process.slug}),
        "idea_detail": reverse("participation:idea", kwargs={"slug": process.slug, "pk": busiest.pk}),
        "survey_catalogue": reverse("survey:catalogue") + f"?ambito={ambito}&q=servizi",
        "plan_dashboard": reverse("plan:dashboard"),
        "action_detail": reverse("plan:action", kwargs={"version": action.version.slug, "code": action.code}),
        "meeting_list": reverse("meetings:home"),
        "search": reverse("core:search") + "?q=mobilit%C3%A0",
        "api_list": "/api/v1/ideas",
    }

    # Supports: every request a different person supporting a published idea they do not support yet.
    wanted = TARGET_SUPPORTS_PER_SECOND * 3 * duration
    users = list(User.objects.filter(is_active=True).order_by("-pk").values_list("pk", flat=True)[:wanted])
    ideas = list(
        Idea.objects.filter(status="published", is_hidden=False, process__in=supportable_processes())
        .select_related("process")
        .order_by("pk")[:500]
    )
    supported = set(
        Support.objects.filter(user_id__in=users, idea__in=ideas).values_list("user_id", "idea_id")
    )
    lines = []
    by_pk = {u.pk: u for u in User.objects.filter(pk__in=users)}
    for n, user_pk in enumerate(users):
        target = ideas[n % len(ideas)]
        if (user_pk, target.pk) in supported:
            continue
        path = reverse("participation:idea_support", kwargs={"slug": target.process.slug, "pk": target.pk})
        lines.append(f"POST\t{path}\t{session_cookie(by_pk[user_pk])}\top=add")
    supports_file = run_dir / "supports.tsv"
    supports_file.write_text("\n".join(lines) + "\n")

    # Registrations: a new meeting with 100 seats, open, and 1,000 people without a registration.
    meeting = Meeting.objects.order_by("pk").first()
    meeting.pk = None  # a copy: the same tour and venue, no working groups, no questions
    meeting.slug = f"bench-{timezone.now():%Y%m%d%H%M%S}"
    meeting.capacity = SEATS
    meeting.is_published = True
    meeting.starts_at = timezone.now() + datetime.timedelta(days=30)
    meeting.ends_at = meeting.starts_at + datetime.timedelta(hours=2)
    meeting.registration_opens_at = timezone.now() - datetime.timedelta(days=1)
    meeting.registration_closes_at = None
    meeting.save()
    registrants = User.objects.filter(is_active=True).exclude(pk__in=users).order_by("pk")[:REGISTRANTS]
    register = reverse("meetings:register", kwargs={"slug": meeting.slug})
    lines = [
        f"POST\t{register}\t{session_cookie(user)}\t"
        + urlencode({"name": user.public_name, "email": user.email, "privacy": "on"})
        for user in registrants
    ]
    registrations_file = run_dir / "registrations.tsv"
    registrations_file.write_text("\n".join(lines) + "\n")
    counts = Idea.objects.aggregate(n=Count("pk"))
    return {
        "paths": paths,
        "supports_file": str(supports_file),
        "supports_requests": len(lines),
        "registrations_file": str(registrations_file),
        "meeting_pk": meeting.pk,
        "ideas": counts["n"],
    }


def supportable_processes():
    from cittasmart.participation.models import Capability, Process

    return [p for p in Process.objects.all() if p.allows(Capability.SUPPORT)]


def static_path() -> str:
    from django.templatetags.static import static

    return static("css/cittasmart.css")


def deep_page(base: str, path: str, pages: int) -> tuple[str, int]:
    """Follow the "next" links of a keyset-paginated list ``pages`` times; the address reached."""
    current = path
    for n in range(pages):
        html = fetch(base + current)
        found = re.search(r'href="(\?[^"]*cursor=[^"]+)"', html)
        if not found:
            return current, n
        current = path.split("?")[0] + found.group(1).replace("&amp;", "&")
    return current, pages


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        return response.read().decode()


# --- The server and the load --------------------------------------------------------------------------------


def start_server(env: dict, port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "cittasmart.config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "4096",
        "--timeout",
        "120",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    for _ in range(120):
        try:
            fetch(f"http://127.0.0.1:{port}/health/")
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def settle(base: str, timeout: float = 120) -> None:
    """Wait until the server has worked off the requests a run left queued (wrk closes its connections at the
    end, the server still answers what it accepted): the next scenario must start on an idle server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        fetch(base + "/health/")
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


# What every browser sends with a GET: the read scenarios ask for the compressed page as a browser does.
BROWSER_HEADERS = ("Accept-Encoding: gzip, deflate, br",)


def wrk(
    url: str,
    *,
    connections: int,
    duration: int,
    requests_file: str = "-",
    rate: float = 0,
    headers: tuple[str, ...] = (),
) -> dict:
    threads = min(THREADS, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        *(part for header in headers for part in ("-H", header)),
        "-s",
        str(LUA),
        url,
        "--",
        requests_file,
        str(threads),
        str(connections),
        str(int(rate)),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    summary["rps"] = summary["requests"] / summary["seconds"] if summary["seconds"] else 0
    summary["errors"] = summary["status_5xx"] + summary["status_4xx"] + summary["socket_errors"]
    return summary


def read_scenario(base: str, path: str, *, connections: int, duration: int) -> dict:
    url = base + path
    load = {"connections": connections, "headers": BROWSER_HEADERS}
    wrk(url, duration=max(2, duration // 3), **load)  # warm-up
    closed = wrk(url, duration=duration, **load)
    paced = wrk(url, duration=duration, rate=max(1, closed["rps"] / 2), **load)
    return {
        "path": path,
        "rps": closed["rps"],
        "errors": closed["errors"],
        "bytes_per_response": round(closed["bytes"] / closed["requests"]) if closed["requests"] else 0,
        "p50_ms": paced["p50_ms"],
        "p95_ms": paced["p95_ms"],
        "p99_ms": paced["p99_ms"],
        "fixed_rate": paced["rps"],
        "saturated_p99_ms": closed["p99_ms"],
    }


def floor_check(url: str, *, connections: int, duration: int) -> float:
    """The hello view's throughput now: a closed-loop run on the warm server."""
    return wrk(url, connections=connections, duration=duration, headers=BROWSER_HEADERS)["rps"]


def floor_of(scenarios: dict, name: str) -> float:
    """The hello-view floor of a scenario's own minutes (the run's floor for the scenarios measured without
    checks around them: the writes, and results of earlier versions)."""
    return scenarios[name].get("floor_rps") or scenarios["floor_hello"]["rps"]


def ratio(scenarios: dict, name: str) -> float:
    return scenarios[name]["rps"] / floor_of(scenarios, name)


# --- Invariants and the export ------------------------------------------------------------------------------


def invariants(meeting_pk: int) -> dict:
    from django.db.models import Count, F, Q

    from cittasmart.meetings.models import Meeting, Registration, RegistrationStatus
    from cittasmart.participation.models import Support
    from cittasmart.participation.services import counters_recompute

    duplicates = Support.objects.values("idea_id", "user_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    over = (
        Meeting.objects.filter(capacity__isnull=False)
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
        )
        .filter(confirmed__gt=F("capacity"))
        .count()
    )
    bench_meeting = Registration.objects.filter(meeting_id=meeting_pk)
    return {
        "ideas_with_wrong_counters": counters_recompute(dry_run=True),
        "duplicate_supports": duplicates,
        "meetings_over_their_seats": over,
        "bench_meeting_confirmed": bench_meeting.filter(status=RegistrationStatus.CONFIRMED).count(),
        "bench_meeting_waitlisted": bench_meeting.filter(status=RegistrationStatus.WAITLISTED).count(),
        "bench_meeting_registrations": bench_meeting.count(),
    }


def peak_rss_mib() -> float:
    """The peak resident memory of this process (VmHWM; ``ru_maxrss`` would count the parent's before exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_supports() -> None:
    """Child process: stream the CSV of every support row to /dev/null; print rows and peak RSS as JSON."""
    from cittasmart.opendata import exports
    from cittasmart.opendata.datasets import DATETIME, INTEGER, Column, Dataset
    from cittasmart.participation.models import Support

    # Supports are not an open dataset (they say who supported what); the export machinery is the same. Rows are
    # read as tuples, as a dataset of a million rows should be.
    dataset = Dataset(
        slug="supports",
        title="supports",
        description="",
        theme="",
        periodicity="",
        rows=lambda: Support.objects.order_by("pk").values_list("pk", "idea_id", "created_at"),
        columns=(
            Column("id", INTEGER, lambda row: row[0]),
            Column("idea", INTEGER, lambda row: row[1]),
            Column("created_at", DATETIME, lambda row: row[2]),
        ),
    )
    baseline_mib = peak_rss_mib()
    started = time.monotonic()
    rows = 0
    with open(os.devnull, "w") as sink:
        for line in exports.csv_lines(dataset, dataset.iter_rows()):
            sink.write(line)
            rows += 1
    peak_mib = peak_rss_mib()
    print(
        json.dumps(
            {
                "rows": rows - 1,
                "seconds": time.monotonic() - started,
                "peak_rss_mib": peak_mib,
                "rss_before_mib": baseline_mib,
            }
        )
    )


# --- The report ----------------------------------------------------------------------------------------------


def report(results: dict) -> str:
    lines = [
        "| scenario | rps | p50 ms | p95 ms | p99 ms | errors | KB sent | floor rps | × hello floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in results["scenarios"].items():
        sent = f"{s['bytes_per_response'] / 1000:.1f}" if "bytes_per_response" in s else ""
        lines.append(
            f"| {name} | {s['rps']:.0f} | {s.get('p50_ms', 0):.1f} | {s.get('p95_ms', 0):.1f} "
            f"| {s.get('p99_ms', 0):.1f} | {s['errors']} | {sent} | {floor_of(results['scenarios'], name):.0f} "
            f"| {ratio(results['scenarios'], name):.2f} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target in results["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | {'yes' if target['met'] else '**no**'} |"
        )
    lines += ["", "| invariant | value |", "|---|---:|"]
    for name, value in results["invariants"].items():
        lines.append(f"| {name} | {value} |")
    return "\n".join(lines)


def targets(results: dict) -> list[dict]:
    s = results["scenarios"]
    checks = []
    for name in LIST_PAGES:
        measured = ratio(s, name)
        checks.append(
            {
                "target": f"{name} ≥ {TARGET_LIST_RATIO}× floor",
                "measured": f"{measured:.2f}×",
                "met": measured >= TARGET_LIST_RATIO,
            }
        )
    reads = [n for n in s if not n.startswith(("floor", "write"))]
    worst = max(reads, key=lambda n: s[n]["p99_ms"])
    checks.append(
        {
            "target": f"p99 ≤ {TARGET_P99_MS:.0f} ms on read pages",
            "measured": f"worst {worst}: {s[worst]['p99_ms']:.1f} ms",
            "met": s[worst]["p99_ms"] <= TARGET_P99_MS,
        }
    )
    deep = s["idea_list_deep"]["rps"] and s["idea_list"]["rps"] / s["idea_list_deep"]["rps"]
    checks.append(
        {"target": f"deep page ≤ {TARGET_DEEP_RATIO}× page 1", "measured": f"{deep:.2f}×", "met": deep <= 1.5}
    )
    supports = s["write_supports"]
    checks.append(
        {
            "target": f"supports ≥ {TARGET_SUPPORTS_PER_SECOND}/s, 0 lost, 0 duplicated",
            "measured": f"{supports['rps']:.0f}/s, {supports['lost']} lost, "
            f"{results['invariants']['duplicate_supports']} duplicated",
            "met": supports["rps"] >= TARGET_SUPPORTS_PER_SECOND
            and supports["lost"] == 0
            and results["invariants"]["duplicate_supports"] == 0,
        }
    )
    confirmed = results["invariants"]["bench_meeting_confirmed"]
    checks.append(
        {
            "target": f"exactly {SEATS} confirmed of {REGISTRANTS}",
            "measured": f"{confirmed} confirmed, {results['invariants']['bench_meeting_waitlisted']} waitlisted, "
            f"of {results['invariants']['bench_meeting_registrations']} registered",
            "met": confirmed == SEATS and results["invariants"]["bench_meeting_registrations"] == REGISTRANTS,
        }
    )
    export = results["export"]
    checks.append(
        {
            "target": f"export peak RSS < {TARGET_EXPORT_MIB} MB",
            "measured": f"{export['peak_rss_mib']:.0f} MiB ({export['rss_before_mib']:.0f} before) for "
            f"{export['rows']} rows in {export['seconds']:.0f} s",
            "met": export["peak_rss_mib"] < TARGET_EXPORT_MIB,
        }
    )
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--scale", default="L", choices=["S", "M", "L"])
    parser.add_argument("--duration", type=int, default=10, help="seconds of each measured run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--export-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = server_environment(args.database_url, args.redis_url)
    if args.export_child:
        setup_django(env)
        export_supports()
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does it when it can)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))

    ensure_database(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    setup_django(env)
    ensure_data(env, args.scale)
    run_dir = WORK / datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir.mkdir(parents=True, exist_ok=True)
    plan = prepare(run_dir, args.duration)
    from django.db import connections

    connections.close_all()

    base = f"http://127.0.0.1:{args.port}"
    server = start_server(env, args.port)
    results: dict = {
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "scale": args.scale,
        "connections": args.connections,
        "duration": args.duration,
        "cpus": os.cpu_count(),
        "scenarios": {},
    }
    try:
        paths = plan["paths"]
        paths["idea_list_deep"], reached = deep_page(base, paths["idea_list"], 100)
        results["deep_page_number"] = reached + 1
        hello = base + paths["floor_hello"]
        floors = results["floor_checks"] = []
        for name, path in paths.items():
            print(f"… {name}", flush=True)
            results["scenarios"][name] = read_scenario(
                base, path, connections=args.connections, duration=args.duration
            )
            if name == "floor_hello":
                continue
            # The floor again around each scenario: the machine's speed drifts over minutes, and a scenario
            # is compared with the floor of the same minute (the mean of the checks before and after it).
            if not floors:
                floors.append(floor_check(hello, connections=args.connections, duration=args.duration))
            floors.append(floor_check(hello, connections=args.connections, duration=args.duration))
            results["scenarios"][name]["floor_rps"] = (floors[-2] + floors[-1]) / 2
        from cittasmart.participation.models import Support

        settle(base)
        before = Support.objects.count()
        print("… write_supports", flush=True)
        supports = wrk(
            base + "/",
            connections=SUPPORT_CLIENTS,
            duration=args.duration,
            requests_file=plan["supports_file"],
        )
        added = Support.objects.count() - before
        accepted = supports["status_2xx"]
        supports["added"] = added
        supports["lost"] = max(0, min(accepted, plan["supports_requests"]) - added)
        results["scenarios"]["write_supports"] = supports
        print("… write_registrations", flush=True)
        settle(base)
        # Long enough for every one of the 1,000 to be answered (each holds the meeting's lock for its
        # decision); after their turn the connections repeat themselves and are told they are registered.
        registrations = wrk(
            base + "/",
            connections=REGISTRANTS,
            duration=max(30, args.duration),
            requests_file=plan["registrations_file"],
        )
        results["scenarios"]["write_registrations"] = registrations
    finally:
        stop_server(server)
    print("… export", flush=True)
    child = subprocess.run(
        [PYTHON, __file__, "--export-child", "--database-url", args.database_url],
        capture_output=True,
        text=True,
        check=True,
    )
    results["export"] = json.loads(child.stdout.strip().splitlines()[-1])
    results["invariants"] = invariants(plan["meeting_pk"])
    results["targets"] = targets(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{run_dir.name}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    print(f"\nResults: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
