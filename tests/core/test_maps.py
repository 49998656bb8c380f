import pytest

from cittasmart.core import maps


def test_projection_of_one_point_and_of_a_box():
    one = maps.point_map([maps.MapPoint("a", "o", "/a", 43.88, 11.10)])
    assert one.points[0].x == pytest.approx(320, abs=1)
    assert one.points[0].y == pytest.approx(one.height / 2, abs=1)
    assert one.scale_label.endswith(" m")
    box = maps.point_map(
        [maps.MapPoint("sw", "o", "/1", 43.85, 11.05), maps.MapPoint("ne", "o", "/2", 43.91, 11.15)]
    )
    sw, ne = box.points
    assert sw.x < ne.x and sw.y > ne.y
    assert min(sw.x, ne.x) >= maps.MAP_PADDING - 0.1
    assert max(sw.y, ne.y) <= box.height - maps.MAP_PADDING + 0.1
    # Equirectangular at this latitude: 0.1° of longitude is shorter than 0.06° of latitude × 1/0.6.
    assert (ne.x - sw.x) / (sw.y - ne.y) == pytest.approx(0.1 * 0.7206 / 0.06, rel=0.01)
    assert box.scale_px > 0


def test_an_empty_map_has_no_points_and_counts_what_was_not_drawn():
    empty = maps.point_map([], total=3)
    assert empty.points == [] and empty.truncated
