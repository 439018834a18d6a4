"""Inline SVG charts computed server-side: numbers in, coordinates out (pure).

Templates draw the shapes (``templates/_charts.html``); everything here is
numeric, so nothing from a feed reaches an SVG attribute unescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# Six colours that keep a contrast of 3:1 or more on white and stay apart for protan, deutan and tritan
# colour vision (tested); the series beyond them are drawn in OTHER, behind.
PALETTE = ("#0072B2", "#B07800", "#000000", "#882255", "#332288", "#EE6677")
OTHER = "#c4c9cf"


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str
    last_x: float
    last_y: float
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    color: str
    points: str
    total: int
    last: int
    highlighted: bool = True


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the first and last x labels stay inside the chart


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    lines: tuple[Line, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    label: str
    font: int = 11
    desc: str = ""  # the chart's description when it is not the default's articles per line

    @property
    def bottom(self) -> int:
        return self.top + self.plot_h

    @property
    def highlighted(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.highlighted)

    @property
    def others(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if not line.highlighted)


def _scale(values: Sequence[float], size: float, top: float, high: float) -> list[float]:
    return [round(top + size - (v / high) * size, 1) if high else round(top + size, 1) for v in values]


def _xs(n: int, width: float, left: float) -> list[float]:
    if n <= 1:
        return [round(left + width / 2, 1)] * n
    return [round(left + i * width / (n - 1), 1) for i in range(n)]


def _points(xs: Sequence[float], ys: Sequence[float]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in zip(xs, ys, strict=True))


def sparkline(values: Sequence[int], label: str, width: int = 96, height: int = 24) -> Sparkline:
    """A small trend line; ``label`` becomes the chart's accessible name."""
    values = list(values) or [0]
    xs = _xs(len(values), width - 4, 2)
    ys = _scale(values, height - 4, 2, max(values))
    return Sparkline(width, height, _points(xs, ys), xs[-1], ys[-1], label)


BLOCKS = "▁▂▃▄▅▆▇█"


def spark_text(values: Sequence[int]) -> str:
    """A sparkline in Unicode block characters, for mail clients and plain text that show no SVG."""
    values = list(values)
    high = max(values, default=0)
    if not high:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[round(v / high * (len(BLOCKS) - 1))] for v in values)


def nice_max(value: float) -> int:
    """The smallest 1/2/5 x 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def line_chart(
    series: Sequence[tuple[str, Sequence[int]]],
    days: Sequence[date],
    label: str,
    width: int = 720,
    height: int = 260,
    others: Sequence[tuple[str, Sequence[int]]] = (),
    font: int = 11,
) -> LineChart:
    """Daily series on one time axis, y from zero to a round maximum: ``series`` in the palette's
    colours (at most len(PALETTE)), ``others`` in grey behind them.

    A narrow chart (a phone) gets a larger ``font`` relative to its width and fewer x labels.
    """
    left, top, right, bottom = 8 + 3 * font, 12, 12, 12 + 2 * font
    plot_w, plot_h = width - left - right, height - top - bottom
    high = nice_max(max((max(v, default=0) for _, v in (*series, *others)), default=0))
    xs = _xs(len(days), plot_w, left)

    def line(name: str, values: Sequence[int], color: str, highlighted: bool) -> Line:
        return Line(name, color, _points(xs, _scale(values, plot_h, top, high)), sum(values),
                    values[-1] if values else 0, highlighted)

    lines = (*(line(n, v, OTHER, False) for n, v in others),
             *(line(n, v, PALETTE[i], True) for i, (n, v) in enumerate(series[: len(PALETTE)])))
    y_ticks = tuple(Tick(_scale([v], plot_h, top, high)[0], str(v)) for v in (0, high // 2, high) if v or high)
    ticks = _x_ticks(days, xs, count=3 if width < 480 else 5)
    return LineChart(width, height, left, top, plot_w, plot_h, lines, _dedupe(y_ticks), ticks, label, font)


NARROW = {"width": 360, "height": 240, "font": 14}  # a phone's chart: half the width, larger type


def line_charts(series: Sequence[tuple[str, Sequence[int]]], days: Sequence[date], label: str,
                others: Sequence[tuple[str, Sequence[int]]] = ()) -> tuple[LineChart, LineChart]:
    """The chart for a wide screen and the one a phone shows in its place (``NARROW``)."""
    return line_chart(series, days, label, others=others), line_chart(series, days, label, others=others, **NARROW)


def _dedupe(ticks: tuple[Tick, ...]) -> tuple[Tick, ...]:
    seen: dict[str, Tick] = {}
    for tick in ticks:
        seen.setdefault(tick.label, tick)
    return tuple(seen.values())


def _x_ticks(days: Sequence[date], xs: Sequence[float], count: int = 5) -> tuple[Tick, ...]:
    if not days:
        return ()
    step = max(1, (len(days) - 1) // (count - 1))
    picks = sorted({*range(0, len(days), step), len(days) - 1})
    if len(picks) > 1 and picks[-1] - picks[-2] < step / 2:
        picks.pop(-2)
    anchors = {picks[0]: "start", picks[-1]: "end"} if len(picks) > 1 else {}
    return tuple(Tick(xs[i], days[i].strftime("%d %b"), anchors.get(i, "middle")) for i in picks)


def share_chart(
    series: Sequence[tuple[str, Sequence[float | None]]],
    starts: Sequence[date],
    label: str,
    desc: str = "",
    width: int = 720,
    height: int = 220,
    font: int = 11,
) -> LineChart:
    """Shares (0 to 1; None: nothing to divide, left out of the line) per period on one time axis, the first
    len(PALETTE) in the palette's colours, the rest in grey; y from 0% to a round percentage (at most
    100%). ``starts``: each period's first day."""
    left, top, right, bottom = 8 + 3 * font, 12, 12, 12 + 2 * font
    plot_w, plot_h = width - left - right, height - top - bottom
    percents = [[100 * (v or 0.0) for v in values] for _, values in series]
    high = min(100, nice_max(max((max(p, default=0) for p in percents), default=0)))
    xs = _xs(len(starts), plot_w, left)
    lines = []
    for i, ((name, values), p) in enumerate(zip(series, percents, strict=True)):
        kept = [(x, y) for x, y, v in zip(xs, _scale(p, plot_h, top, high), values, strict=True) if v is not None]
        lines.append(Line(name, PALETTE[i] if i < len(PALETTE) else OTHER, _points(*zip(*kept, strict=True))
                          if kept else "", 0, 0, i < len(PALETTE)))
    y_ticks = tuple(Tick(_scale([v], plot_h, top, high)[0], f"{v:g}%") for v in (0, high / 2, high))
    ticks = _x_ticks(starts, xs, count=3 if width < 480 else 4)
    return LineChart(width, height, left, top, plot_w, plot_h, tuple(lines), _dedupe(y_ticks), ticks, label, font,
                     desc)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Bars:
    width: int
    height: int
    bars: tuple[Bar, ...]
    label: str


def bars(values: Sequence[float], titles: Sequence[str], label: str, high: float | None = None,
         width: int = 120, height: int = 24) -> Bars:
    """A row of small bars (one per period) from zero to ``high`` (default: the largest value); a zero is a
    one-pixel stub, so an empty period still shows. ``titles``: each bar's tooltip."""
    high = max(values, default=0) if high is None else high
    step = (width - 2) / max(1, len(values))
    gap = 1 if step > 3 else 0
    out = []
    for i, (value, title) in enumerate(zip(values, titles, strict=True)):
        tall = max(1.0, round((value / high) * (height - 2), 1)) if high and value else 1.0
        out.append(Bar(round(1 + i * step, 1), round(height - 1 - tall, 1), round(step - gap, 1), tall, title))
    return Bars(width, height, tuple(out), label)
