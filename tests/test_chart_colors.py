"""The trend chart: at most six highlighted topics in colours that pass contrast and colour-blind checks,
the rest grey; discovered topics renamed or muted from the configuration."""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from outputs_data import DAY, NOW, config_dict, populate

from monitor.config import Config
from monitor.deliver.digests import digest_data, run_due
from monitor.deliver.site import build_site
from monitor.render.charts import OTHER, PALETTE, line_chart
from monitor.settings import Settings

# Machado et al. (2009) simulation matrices, severity 1, on linear RGB.
CVD = {
    "protan": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deutan": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritan": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


def _linear(color: str) -> tuple[float, ...]:
    def one(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return tuple(one(int(color[i:i + 2], 16)) for i in (1, 3, 5))


def _luminance(rgb: tuple[float, ...]) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047
    y = _luminance(rgb)
    z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _simulate(rgb: tuple[float, ...], matrix: Any) -> tuple[float, ...]:
    return tuple(min(1.0, max(0.0, sum(m * v for m, v in zip(row, rgb, strict=True)))) for row in matrix)


def test_palette_has_contrast_on_white_and_stays_distinct_for_colour_blind_readers() -> None:
    assert len(PALETTE) == 6
    for color in PALETTE:
        assert (1.05) / (_luminance(_linear(color)) + 0.05) >= 3.0, color  # WCAG non-text contrast
    for name, matrix in {"normal": None, **CVD}.items():
        seen = [_lab(_simulate(_linear(c), matrix) if matrix else _linear(c)) for c in PALETTE]
        closest = min(math.dist(a, b) for a, b in itertools.combinations(seen, 2))
        assert closest >= 20, f"two colours {closest:.1f} apart for {name} vision"


def test_chart_highlights_six_series_and_greys_the_rest() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(10)]
    series = [(f"t{i}", [i + 1] * 10) for i in range(9)]
    chart = line_chart(series[:6], days, "label", others=series[6:])
    assert [line.name for line in chart.highlighted] == [f"t{i}" for i in range(6)]
    assert [line.color for line in chart.highlighted] == list(PALETTE)
    assert {line.color for line in chart.others} == {OTHER} and len(chart.others) == 3
    assert chart.y_ticks[-1].label == "10"  # the grey series count for the scale too


def test_renamed_and_muted_discovered_topics(engine: Any, tmp_path: Path) -> None:
    populate(engine)
    config = Config.model_validate(config_dict(
        tmp_path, discovered_topics=[{"id": 3, "mute": True}, {"id": 4, "name": "Renamed quiet topic"}]))
    digest = digest_data(engine, config, DAY)
    assert 3 not in {t.id for t in (*digest.topics, *digest.emerging)}
    assert 3 not in {a.topic_id for a in digest.alerts}
    run_due(engine, config, Settings(), NOW, send=False)
    build_site(engine, config, NOW)
    site = tmp_path / "site"
    assert "GigaChat models" not in (site / "digests" / f"{DAY.isoformat()}.html").read_text(encoding="utf-8")
    assert "GigaChat models" not in (site / "index.html").read_text(encoding="utf-8").split('id="alerts"')[0]
    assert "Renamed quiet topic" in (site / "topics" / "4.html").read_text(encoding="utf-8")
    assert "Renamed quiet topic" in (site / "index.html").read_text(encoding="utf-8")


def test_bad_discovered_topic_is_one_line_naming_file_field_and_value(write_config: Any, tmp_path: Path) -> None:
    import pytest

    from monitor.config import load_config
    from monitor.errors import ConfigError

    path = write_config(config_dict(tmp_path, discovered_topics=[{"id": 3, "mute": "sometimes"}]))
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert str(path) in message and "discovered_topics[0].mute" in message and "sometimes" in message
    assert "\n" not in message
