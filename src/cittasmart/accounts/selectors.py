from cittasmart.accounts import registry


def user_memberships(*, user) -> list:
    """The organisations ``user`` belongs to, as provided by the stakeholders app."""
    return registry.memberships_for(user)
