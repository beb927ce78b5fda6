"""Pilot evaluation, equity ratios and scorecard logic against hand-worked values."""

from __future__ import annotations

import pytest

from rightresponse.core.metrics.equity import disparity_ratios, per_capita
from rightresponse.core.metrics.evaluation import difference_in_differences, pre_post, t_quantile
from rightresponse.core.metrics.scorecard import assess, forecast, moved, movement, trend_slope


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.706),
        (0.975, 2, 4.303),
        (0.975, 4, 2.776),
        (0.975, 10, 2.228),
        (0.95, 30, 1.697),
        (0.975, 1e9, 1.960),
    ],
)
def test_t_quantile_matches_tables(p: float, df: float, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=2e-3)


def test_pre_post_by_hand() -> None:
    # before mean 12 (variance 4), after mean 8 (variance 4); se = sqrt(4/3 + 4/3); df = 4
    estimate = pre_post([10, 12, 14], [6, 8, 10])
    assert estimate.effect == -4
    assert estimate.degrees_of_freedom == pytest.approx(4)
    half = 2.776 * (8 / 3) ** 0.5
    assert estimate.low == pytest.approx(-4 - half, abs=1e-2)
    assert estimate.high == pytest.approx(-4 + half, abs=1e-2)
    assert not estimate.significant  # the interval includes zero


def test_difference_in_differences_by_hand() -> None:
    # pilot 11 -> 7, comparison 10 -> 9: effect (7 - 11) - (9 - 10) = -3;
    # every arm has variance 2 over 2 periods: se = sqrt(4 * 1) = 2, df = 16 / 4 = 4
    estimate = difference_in_differences([10, 12], [6, 8], [9, 11], [8, 10])
    assert estimate.effect == -3
    assert estimate.standard_error == pytest.approx(2)
    assert estimate.low == pytest.approx(-3 - 2.776 * 2, abs=1e-2)
    assert estimate.high == pytest.approx(-3 + 2.776 * 2, abs=1e-2)


def test_a_clear_effect_is_significant() -> None:
    estimate = difference_in_differences(
        [50, 52, 51, 49], [30, 31, 29, 30], [50, 51, 49, 50], [49, 50, 51, 50]
    )
    assert estimate.high < 0 and estimate.significant


def test_evaluation_needs_two_periods_per_arm() -> None:
    with pytest.raises(ValueError, match="before: at least two periods"):
        pre_post([1.0], [2.0, 3.0])


def test_disparity_ratios_against_city_wide_rate() -> None:
    out = disparity_ratios({"north": (30.0, 200), "south": (15.0, 100), "east": (20.0, 5)}, 20.0)
    by = {d.group: d for d in out}
    assert by["north"].ratio == pytest.approx(1.5)
    assert by["south"].ratio == pytest.approx(0.75)
    assert not by["east"].reliable  # 5 events: too few to read
    assert disparity_ratios({"a": (None, 0)}, 10.0)[0].ratio is None
    assert per_capita({"a": 50, "b": 5}, {"a": 10_000}) == {"a": 5.0, "b": None}


def test_trend_slope() -> None:
    assert trend_slope([1, 2, None, 4]) == pytest.approx(1.0)
    assert trend_slope([None, 3]) is None


def test_scorecard_status() -> None:
    assert assess([], "down").status == "not_measured"
    assert assess([None, None], "up").status == "not_measured"
    assert assess([10, 12, 15], "up", baseline=10, target=15).status == "met"
    assert assess([10, 12, 13], "up", baseline=10, target=15).status == "on_track"
    assert assess([10, 9, 8], "up", baseline=10, target=15).status == "off_track"
    # lower is better: falling response times are on track
    assert assess([20, 18, 17], "down", baseline=20, target=12).status == "on_track"
    # Neither baseline nor target: never on or off track (issue 18).
    assert assess([20, 22], "down").status == "no_target"
    assert assess([0, 0, 0], "up").status == "no_target"
    assert assess([20, 22], "down", target=12).status == "off_track"
    assert assess([22, 20], "down", target=12).status == "on_track"
    assert assess([5, 6], "neutral", target=3).status == "watch"
    assert assess([12.0], "down", baseline=20.0, target=12.0).status == "met"


def test_moved() -> None:
    assert moved(11, 10) and not moved(10.5, 10)
    assert moved(None, 4) and not moved(None, None)
    assert moved(1, 0)


def test_forecast_follows_the_trend_line() -> None:
    assert forecast([1, 2, None, 4], periods=2) == pytest.approx([5.0, 6.0])
    assert forecast([None, 3, 4]) == []  # two points: too few to forecast


def test_movement_is_better_or_worse_by_direction() -> None:
    assert movement(8, 10, "down") == "better" and movement(8, 10, "up") == "worse"
    assert movement(12, 10, "up") == "better" and movement(10, 10, "up") == "same"
    assert movement(12, 10, "neutral") == "changed"
    assert movement(None, 10, "up") == "gone" and movement(3, None, "up") == "new"
