"""Generated people: accounts with one shared password, verified e-mail addresses, three staff roles.

Every account can log in with ``PASSWORD``. The hash is computed once per run (hashing a hundred thousand passwords
would take hours), with the configured hasher and a fixed salt, so the same settings give the same rows.
"""

import bisect
import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from cittasmart.accounts.models import User
from cittasmart.core.generate import texts
from cittasmart.core.generate.base import CHUNK_ROWS, Context
from cittasmart.core.roles import Role

PASSWORD = "cittasmart-dati-generati"  # noqa: S105 (documented: every generated account has it)
# A fixed salt keeps the rows reproducible; 24 letters carry the entropy Django asks of a salt (128 bits), so a login
# does not re-hash the password and write the account.
PASSWORD_SALT = "cittasmartDatiGenerati24"  # noqa: S105
EMAIL_DOMAIN = "example.org"
# The first accounts hold the staff roles: they answer ideas and run the check-in of meetings.
STAFF_ROLES = (Role.PLAN_OFFICE, Role.MODERATOR, Role.FACILITATOR)
# Accounts joined over this many days before the anchor day.
JOINED_OVER_DAYS = 2_400
# Share of accounts without a display name (they appear as "Participant").
ANONYMOUS_SHARE = 0.08


def password_hash() -> str:
    """The one hash every generated account gets: the configured hasher, the fixed salt."""
    return make_password(PASSWORD, salt=PASSWORD_SALT)


def email_of(number: int) -> str:
    """The address of the ``number``-th generated account (from 1): ``utente000001@example.org``."""
    return f"utente{number:06d}@{EMAIL_DOMAIN}"


def generated_users():
    return User.objects.filter(email__startswith="utente", email__endswith=f"@{EMAIL_DOMAIN}").filter(
        email__regex=r"^utente[0-9]{6}@"
    )


@dataclass
class People:
    """The generated accounts, numbered 0..count-1 in the order they joined."""

    first_id: int
    count: int
    joined: list[datetime.datetime]
    names: list[str]
    _stamps: list[float]

    def id(self, index: int) -> int:
        return self.first_id + index

    def email(self, index: int) -> str:
        return email_of(index + 1)

    def joined_by(self, moment: datetime.datetime) -> int:
        """How many accounts existed at ``moment`` (they are the first ones)."""
        return bisect.bisect_right(self._stamps, moment.timestamp())

    def staff(self, role: Role) -> int:
        return self.id(STAFF_ROLES.index(role))


USER_COLUMNS = [
    "id",
    "password",
    "last_login",
    "is_superuser",
    "email",
    "display_name",
    "is_active",
    "is_staff",
    "date_joined",
    "privacy_accepted_at",
    "erased_at",
]


def generate(ctx: Context) -> None:
    count = ctx.scale.users
    rng = ctx.rng("users")
    writer = ctx.writer
    first_id = writer.reserve(User, count)
    password = password_hash()
    start = ctx.clock.now - datetime.timedelta(days=JOINED_OVER_DAYS)
    span = (ctx.clock.now - datetime.timedelta(days=1) - start).total_seconds()
    joined, names, stamps = [], [], []
    with ctx.stream("accounts", count) as sink:
        for chunk_start in range(0, count, CHUNK_ROWS):
            users, addresses = [], []
            for index in range(chunk_start, min(count, chunk_start + CHUNK_ROWS)):
                # Evenly spread, jittered within its own slot: the order of the accounts is the order of joining.
                moment = start + datetime.timedelta(
                    seconds=int(span * (index + 0.05 + 0.9 * rng.random()) / count)
                )
                if index < len(STAFF_ROLES) or rng.random() >= ANONYMOUS_SHARE:
                    name = texts.person_name(rng)
                else:
                    name = ""
                email = email_of(index + 1)
                users.append(
                    (first_id + index, password, None, False, email, name, True, False, moment, moment, None)
                )
                addresses.append((first_id + index, email, True, True))
                joined.append(moment)
                names.append(name)
                stamps.append(moment.timestamp())
            sink.add(User, USER_COLUMNS, users)
            sink.add(EmailAddress, ["user_id", "email", "verified", "primary"], addresses)
    people = People(first_id=first_id, count=count, joined=joined, names=names, _stamps=stamps)
    ctx.shared["people"] = people
    memberships = []
    for role in STAFF_ROLES[: min(count, len(STAFF_ROLES))]:
        group, _created = Group.objects.using(writer.using).get_or_create(name=role.value)
        memberships.append((people.staff(role), group.pk))
    ctx.write("roles", User.groups.through, ["user_id", "group_id"], memberships)
