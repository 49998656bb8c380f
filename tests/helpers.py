"""Small helpers shared by the server-side tests."""

import re
import threading
import time

from django.db import connection, connections
from django.utils import translation
from django.utils.html import escape

LINK_RE = re.compile(r"https?://[^/\s]+(/\S+)")


def italian(message: str) -> str:
    """``message`` as an Italian visitor reads it in a page (translated and HTML-escaped).

    The catalogues may not be compiled yet, so the test asks gettext instead of hard-coding the Italian text.
    """
    with translation.override("it"):
        return escape(translation.gettext(message))


def english(message: str) -> str:
    with translation.override("en"):
        return escape(translation.gettext(message))


def links_in(text: str) -> list[str]:
    """The paths of the absolute links in an e-mail body."""
    return LINK_RE.findall(text)


def template_names(response) -> list[str]:
    return [t.name for t in response.templates if t.name]


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Roles ----------------------------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "citizen",
    "member",
    "representative",
    "moderator",
    "facilitator",
    "plan_office",
    "administrator",
    "superuser",
    "inactive",
]


def make_actor(role: str, organisation):
    """A person holding ``role``; members and representatives belong to ``organisation``.

    The inactive account held every role and a membership before it was deactivated: it must get nothing.
    """
    from django.contrib.auth.models import AnonymousUser

    from cittasmart.core.roles import Role
    from tests.factories import MembershipFactory, UserFactory

    if role == "anonymous":
        return AnonymousUser()
    if role == "citizen":
        return UserFactory()
    if role in ("member", "representative"):
        return MembershipFactory(organisation=organisation, role=role).user
    if role == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    if role == "inactive":
        user = UserFactory(roles=list(Role), is_active=False)
        MembershipFactory(organisation=organisation, user=user, role="representative")
        return user
    return UserFactory(roles=[Role(role)])


def wait_for_a_fresh_minute():
    """The rate limits count per calendar minute: do not start a burst a few seconds before it changes."""
    if time.time() % 60 > 54:
        time.sleep(60 - time.time() % 60 + 0.1)


def reverse_en(viewname: str, **kwargs) -> str:
    """The English address of a page, for tests that read its English text (Italian is the default)."""
    from django.urls import reverse

    with translation.override("en"):
        return reverse(viewname, **kwargs)


# --- Concurrency ----------------------------------------------------------------------------------------


def run_together(jobs, timeout: float = 120) -> list:
    """Run each job in its own thread, all released at once; the results in order. Any exception fails."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def worker(index, job):
        try:
            connection.ensure_connection()  # connect before the barrier: the race is on the writes
            barrier.wait(timeout=60)
            results[index] = job()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job), daemon=True) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    assert not errors, errors
    return results
