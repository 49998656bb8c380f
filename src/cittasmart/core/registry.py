"""Extension points that let apps plug into shared pages without core importing them.

Apps register in their ``AppConfig.ready()``; the order argument keeps the navigation stable.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    order: int


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    summary: str = ""


@dataclass
class SearchSection:
    title: Promise
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    more_url: str = ""


SearchProvider = Callable[..., SearchSection]

DemoLoader = Callable[[], int]

_navigation: dict[str, NavItem] = {}
_demo_loaders: dict[str, tuple[int, DemoLoader]] = {}
_search_providers: dict[str, tuple[int, SearchProvider]] = {}


def register_nav_item(item: NavItem) -> None:
    _navigation[item.url_name] = item


def navigation() -> list[NavItem]:
    return sorted(_navigation.values(), key=lambda item: item.order)


def register_search_provider(name: str, provider: SearchProvider, order: int) -> None:
    """``provider(*, query, user, limit)`` returns a ``SearchSection`` of what ``user`` may see."""
    _search_providers[name] = (order, provider)


def search_providers() -> Iterable[SearchProvider]:
    return [provider for _order, provider in sorted(_search_providers.values(), key=lambda p: p[0])]


def register_demo_loader(name: str, loader: DemoLoader, order: int) -> None:
    """``loader()`` creates the app's part of the Prato demo if missing and returns how many things it changed.

    Loaders run in ``order`` inside one transaction; each must be idempotent."""
    _demo_loaders[name] = (order, loader)


def demo_loaders() -> list[DemoLoader]:
    return [loader for _order, loader in sorted(_demo_loaders.values(), key=lambda p: p[0])]


# --- Panels: parts of another app's page ----------------------------------------------------------------
# A later app adds a section to an earlier app's page (the ideas that fed a plan action, a card in the profile)
# without the earlier app importing it. A provider ``provider(request, **context)`` returns HTML (safe) or "".

Panel = Callable[..., str]
_panels: dict[str, dict[str, tuple[int, Panel]]] = {}


def register_panel(slot: str, name: str, provider: Panel, order: int) -> None:
    _panels.setdefault(slot, {})[name] = (order, provider)


def render_panels(slot: str, request, **context) -> list[str]:
    """The non-empty HTML of every panel registered for ``slot``, in order."""
    providers = sorted(_panels.get(slot, {}).values(), key=lambda p: p[0])
    return [html for _order, provider in providers if (html := provider(request, **context))]
