"""Maps drawn without tiles or scripts (ADR 0006): points projected into their bounding box, drawn by the server as
an inline SVG of links (``templates/core/_point_map.html``), each followed by a table of the same points.

At city scale the equirectangular projection, with longitudes shrunk by the cosine of the middle latitude, is
indistinguishable from the map projections used by tiles, and needs no library."""

import math
from dataclasses import dataclass, field


@dataclass
class MapPoint:
    title: str
    subtitle: str
    url: str
    latitude: float
    longitude: float
    x: float = 0.0
    y: float = 0.0


@dataclass
class PointMap:
    points: list[MapPoint] = field(default_factory=list)
    total: int = 0
    width: int = 640
    height: int = 0
    scale_px: float = 0.0
    scale_label: str = ""

    @property
    def truncated(self) -> bool:
        return self.total > len(self.points)

    # Where the decorations go (kept here so the template does no arithmetic).
    @property
    def scale_line(self) -> dict[str, float]:
        y = self.height - 16
        return {"x1": 16, "x2": round(16 + self.scale_px, 1), "y": y, "text_y": y - 8}

    @property
    def north_x(self) -> int:
        return self.width - 28


MAP_WIDTH = 640
MAP_MAX_HEIGHT = 480
MAP_MIN_HEIGHT = 200
MAP_PADDING = 24
# Below this span (in degrees, about 500 m) the box is widened, so that one point or a tight cluster is not
# blown up to fill the drawing.
MIN_SPAN = 0.005
KM_PER_DEGREE = 111.32
NICE_KM = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


def point_map(points: list[MapPoint], *, total: int | None = None, margin: float = 0.0) -> PointMap:
    """``points`` projected into their bounding box, north up; ``total`` counts the points not drawn too;
    ``margin`` widens the box by that share of its span on every side."""
    result = PointMap(points=points, total=len(points) if total is None else total, width=MAP_WIDTH)
    if points:
        project(result, margin=margin)
    return result


def project(result: PointMap, margin: float = 0.0) -> None:
    points = result.points
    min_lat, max_lat = min(p.latitude for p in points), max(p.latitude for p in points)
    min_lon, max_lon = min(p.longitude for p in points), max(p.longitude for p in points)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    if max_lat - min_lat < MIN_SPAN:
        middle = (min_lat + max_lat) / 2
        min_lat, max_lat = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    if (max_lon - min_lon) * kx < MIN_SPAN:
        middle = (min_lon + max_lon) / 2
        half = MIN_SPAN / kx / 2
        min_lon, max_lon = middle - half, middle + half
    margin_lat, margin_lon = (max_lat - min_lat) * margin, (max_lon - min_lon) * margin
    min_lat, max_lat = min_lat - margin_lat, max_lat + margin_lat
    min_lon, max_lon = min_lon - margin_lon, max_lon + margin_lon
    span_x = (max_lon - min_lon) * kx
    span_y = max_lat - min_lat
    inner_w = MAP_WIDTH - 2 * MAP_PADDING
    inner_h = MAP_MAX_HEIGHT - 2 * MAP_PADDING
    scale = min(inner_w / span_x, inner_h / span_y)  # pixels per degree of latitude
    height = max(span_y * scale + 2 * MAP_PADDING, MAP_MIN_HEIGHT)
    offset_x = (MAP_WIDTH - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2
    for p in points:
        p.x = round(offset_x + (p.longitude - min_lon) * kx * scale, 1)
        p.y = round(offset_y + (max_lat - p.latitude) * scale, 1)
    result.height = round(height)
    px_per_km = scale / KM_PER_DEGREE
    km = max((k for k in NICE_KM if k * px_per_km <= MAP_WIDTH / 4), default=NICE_KM[0])
    result.scale_px = round(km * px_per_km, 1)
    result.scale_label = f"{int(km * 1000)} m" if km < 1 else f"{km:g} km"
