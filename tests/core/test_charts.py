from xml.etree import ElementTree

import pytest

from rightresponse.core.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_text_alternative_and_scaled_bars() -> None:
    svg = ElementTree.fromstring(bar_chart(["Crisis", "Noise <&>"], [30, 15], title="Calls"))
    assert svg.find(f"{SVG}title").text == "Calls"
    assert "Noise <&>: 15" in svg.find(f"{SVG}desc").text
    widths = [float(rect.get("width")) for rect in svg.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])


def test_line_chart_breaks_at_gaps_and_draws_target() -> None:
    svg = ElementTree.fromstring(
        line_chart(
            ["Jan", "Feb", "Mar", "Apr"], {"rate": [1.0, 2.0, None, 3.0]}, title="T", target=2.5
        )
    )
    assert len(list(svg.iter(f"{SVG}polyline"))) == 1  # Jan-Feb; Apr alone is a dot
    assert len(list(svg.iter(f"{SVG}circle"))) == 1
    assert any(line.get("stroke-dasharray") for line in svg.iter(f"{SVG}line"))


def test_bar_chart_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="differ"):
        bar_chart(["a"], [1, 2], title="x")


def test_point_map_places_points_inside_and_describes_them() -> None:
    import re

    from rightresponse.core.charts import point_map

    svg = point_map(
        [(47.61, -122.33, "CARE-1", "unit-available"), (47.65, -122.30, "#12", "incident")],
        title="Units and incidents",
        width=400,
        height=300,
    )
    assert "<title>Units and incidents</title>" in svg and "CARE-1 at 47.6100" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    xs = [float(v) for v in re.findall(r'(?:cx|x)="([\d.]+)"', svg)]
    assert xs and all(0 <= x <= 400 for x in xs)
    assert point_map([], title="empty").count("<circle") == 0


def test_dot_map_keeps_every_point_in_the_frame_and_says_when_empty() -> None:
    import re

    from rightresponse.core.charts import dot_map

    points = [(47.60 + i / 1000, -122.35 + i / 500) for i in range(50)]
    svg = dot_map(points, title="Calls", width=300, height=200)
    coords = [(float(x), float(y)) for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', svg)]
    assert len(coords) == 50 and all(0 <= x <= 300 and 0 <= y <= 200 for x, y in coords)
    assert "No coordinates" in dot_map([], title="Calls")


def test_bar_chart_cuts_long_labels_but_keeps_them_whole_in_a_title() -> None:
    long = "Incidents with individuals experiencing homelessness and more words besides"
    svg = bar_chart([long, "Parking"], [12, 312], title="Calls")
    assert f"<title>{long}</title>" in svg
    shown = svg.split(f"<title>{long}</title>")[1].split("</text>")[0]
    assert shown.endswith("…") and len(shown) < len(long)
    assert ">Parking</text>" in svg.replace("<title>Parking</title>", "")


def test_turn_the_curve_draws_baseline_target_and_forecast() -> None:
    from rightresponse.core.charts import turn_the_curve

    svg = turn_the_curve(
        ["Jan", "Feb", "Mar"],
        [10.0, None, 14.0],
        title="Share diverted",
        baseline=9.0,
        target=20.0,
        forecast=[15.0, 16.0],
        forecast_labels=["Apr", "May"],
        unit="%",
    )
    assert "Baseline 9%" in svg and "Target 20%" in svg and ">Forecast<" in svg
    assert "forecast: Apr 15%, May 16%" in svg  # the text alternative carries the numbers
    assert svg.count('stroke-dasharray="6 4"') == 1  # the forecast line
    # Gridlines at round values, the target inside the plot.
    import re

    assert re.findall(r'text-anchor="end">([^<]+)<', svg) == ["0", "5", "10", "15", "20"]


def test_turn_the_curve_without_lines_says_so() -> None:
    from rightresponse.core.charts import turn_the_curve

    svg = turn_the_curve(["Jan"], [None], title="Nothing yet")
    assert "history: no values yet" in svg and "baseline: not set" in svg
