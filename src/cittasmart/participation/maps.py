"""The map of a process's ideas: an inline SVG drawn by the server with ``core.maps``, without tiles or scripts
(ADR 0006, 0009). The box is the located ideas' bounding box with a margin, so that no marker touches the edge."""

from dataclasses import dataclass

from cittasmart.core.maps import MapPoint, PointMap, point_map
from cittasmart.participation.models import Idea

MARGIN = 0.08  # share of the span added on each side of the points' bounding box


@dataclass
class IdeaMarker(MapPoint):
    idea: Idea | None = None  # the list under the map shows the idea's own data


def idea_map(ideas: list[Idea], *, total: int | None = None) -> PointMap:
    """The located ``ideas`` projected into their box; ``total`` counts the located ideas not drawn too."""
    points = [
        IdeaMarker(
            title=idea.title,
            subtitle=idea.place_name,
            url=idea.get_absolute_url(),
            latitude=float(idea.latitude),
            longitude=float(idea.longitude),
            idea=idea,
        )
        for idea in ideas
        if idea.has_location
    ]
    return point_map(points, total=total, margin=MARGIN)
