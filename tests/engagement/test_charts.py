"""The spread chart: dots on the round's scale, a mean marker, and its text alternative."""

import re

import pytest

from engagement.charts import HEIGHT, PAD, WIDTH, spread_svg, spread_text


def test_the_chart_is_an_image_with_its_text_alternative():
    svg = str(spread_svg([2.1, 4.6, 3.5], mean=3.4, scale_min=1, scale_max=5))

    assert svg.startswith(
        '<svg class="tandem-spread" role="img" aria-label="Scores 2.1 to 4.6, mean 3.4"'
    )
    assert "<title>Scores 2.1 to 4.6, mean 3.4</title>" in svg
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' in svg


def test_each_total_is_a_dot_placed_on_the_scale_and_the_mean_is_marked():
    svg = str(spread_svg([1.0, 3.0, 5.0], mean=3.0, scale_min=1, scale_max=5))

    dots = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    middle = PAD + (WIDTH - 2 * PAD) / 2
    assert dots == [PAD, middle, WIDTH - PAD]
    # One tick per point of the scale, then the mean marker across the whole height.
    assert svg.count('stroke-opacity="0.5"') == 5
    assert f'<line x1="{middle:.1f}" y1="2" x2="{middle:.1f}" y2="{HEIGHT}"' in svg


def test_totals_off_the_scale_are_drawn_at_its_ends():
    svg = str(spread_svg([0.0, 9.0], mean=4.5, scale_min=1, scale_max=5))

    assert [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)] == [PAD, WIDTH - PAD]


def test_one_score_is_said_as_one_and_no_score_draws_nothing():
    assert spread_text([4.0], 4.0) == "One score: 4.0"
    assert str(spread_svg([], mean=0, scale_min=1, scale_max=5)) == ""


def test_a_scale_without_room_is_refused():
    with pytest.raises(ValueError, match="highest point above its lowest"):
        spread_svg([3.0], mean=3.0, scale_min=3, scale_max=3)
