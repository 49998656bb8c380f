"""Lets later apps show their parts of a person's profile without accounts importing them."""

from collections.abc import Callable

_membership_provider: Callable | None = None


def set_membership_provider(provider: Callable) -> None:
    global _membership_provider
    _membership_provider = provider


def memberships_for(user) -> list:
    return list(_membership_provider(user)) if _membership_provider else []
