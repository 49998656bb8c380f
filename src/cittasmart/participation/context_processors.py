from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The unread notification count of the logged-in person, counted only if a template shows it.

    The lazy count is kept on the request, so that every template of one response (the page, a profile panel
    rendered with the request) shares one query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    lazy = getattr(request, "_cittasmart_unread_notifications", None)
    if lazy is None:

        def count() -> int:
            from cittasmart.participation.selectors import unread_count

            return unread_count(user=user)

        lazy = request._cittasmart_unread_notifications = SimpleLazyObject(count)
    return {"unread_notifications": lazy}
