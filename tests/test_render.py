"""Pure rendering: URL vetting, charts, momentum, digest windows, and escaping of hostile feed content."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from outputs_data import HOSTILE_FEED, JS_URL, XSS_IMG, XSS_TITLE
from outputs_kit import audit, links

from monitor.render.alerts import json_payload, render_alert_email, slack_payload
from monitor.render.charts import line_chart, nice_max, spark_text, sparkline
from monitor.render.digest import (
    digest_window,
    due_day,
    headline,
    render_digest,
    subject,
)
from monitor.render.env import environment, oneline, safe_url
from monitor.render.site import since_first
from monitor.records import StoredAlert
from monitor.render.records import (
    DigestData,
    Link,
    SiteMeta,
    StoryView,
    TopicTrend,
    WatchHit,
    reading_order,
)
from monitor.render.trend import arrow, change_ratio, percent, rose
from monitor.trends.metrics import poisson_below, poisson_tail

META = SiteMeta("Монитор <tech>", "https://monitor.example.org/", "Europe/Berlin")
T0 = datetime(2026, 3, 9, 7, tzinfo=UTC)


@pytest.mark.parametrize("url", [
    JS_URL, " JavaScript:alert(1)", "java\nscript:alert(1)", "data:text/html,<script>", "vbscript:x",
    "/relative/path", "//evil.example.org/x", "http://", "", None, "http://[::1",
])
def test_safe_url_refuses_anything_but_absolute_http(url: str | None) -> None:
    assert safe_url(url) == "#"


def test_safe_url_keeps_http_and_https() -> None:
    assert safe_url("https://example.org/a?b=1&c=<2>") == "https://example.org/a?b=1&c=<2>"
    assert safe_url("HTTP://Example.org/") == "HTTP://Example.org/"


def test_oneline_strips_controls_and_cuts() -> None:
    assert oneline("a\r\nb\x00c\u2028d   e") == "a b c d e"
    assert oneline("x" * 50, 10) == "x" * 9 + "…"


def test_every_template_autoescapes() -> None:
    env = environment()
    assert env.list_templates()
    for name in env.list_templates():
        assert env.autoescape(name) is True, name
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


@pytest.mark.parametrize(("count", "baseline", "symbol"), [
    (12, 5, "▲"), (10, 5, "▶"),  # 10 against a usual 5 comes on 3 days in 100: steady; 12 on under 1 in 100
    (5, 5, "▶"), (0, 10, "▼"), (2, 5, "▶"),  # none against 10 is a fall; 2 against 5 comes on 12 days in 100
    (4, 0, "▲"), (3, 0, "▶"), (0, 0, "▶"),  # a silent topic is read as half an article a day
    (1, 0.6, "▶"),  # one article against a usual 0.6 (+43 %) is no rise
    (4100, 4000, "▶"),  # beyond chance, but by a fortieth: steady
])
def test_arrow_marks_changes_beyond_chance(count: int, baseline: float, symbol: str) -> None:
    assert arrow(count, baseline) == symbol
    assert rose(count, baseline) == (symbol == "▲")


def test_a_topic_rises_only_beyond_chance() -> None:
    """A rise is a count its usual rate brings less than once in a hundred, a fall likewise."""
    assert round(poisson_tail(3, 1.0), 4) == 0.0803 and poisson_tail(0, 3.0) == 1.0 and poisson_tail(23, 9.5) < 2e-4
    assert poisson_tail(3, 0.0) == poisson_tail(3, 0.5)  # a silent topic is read as half an article a day
    assert not rose(3, 1.0)  # three filler reports where one is usual
    assert not rose(4, 2.0) and rose(23, 9.5) and rose(4, 0.0) and not rose(3, 0.0)
    assert not rose(2, 9.5)  # falling


def test_poisson_below_is_the_lower_tail() -> None:
    assert round(poisson_below(0, 3.0), 4) == round(math.exp(-3.0), 4) == 0.0498
    assert poisson_below(-1, 3.0) == 0.0 and poisson_below(50, 3.0) == pytest.approx(1.0)
    assert poisson_below(0, 0.0) == poisson_below(0, 0.5)
    for count, rate in [(0, 2.0), (2, 5.0), (7, 5.0), (30, 40.0), (45, 40.0)]:  # both sides of the mean
        exact = sum(math.exp(k * math.log(rate) - rate - math.lgamma(k + 1)) for k in range(count + 1))
        assert poisson_below(count, rate) == pytest.approx(exact, rel=1e-9)
        assert poisson_below(count, rate) + poisson_tail(count + 1, rate) == pytest.approx(1.0)


def test_percent_labels() -> None:
    assert percent(change_ratio(15, 10)) == "+50 %"
    assert percent(change_ratio(10, 10)) == "±0 %"
    assert percent(change_ratio(0, 4)) == "-100 %"
    assert percent(change_ratio(40, 2)) == "×20"


def test_sparkline_scales_into_its_box() -> None:
    spark = sparkline([0, 5, 10], "x")
    points = [tuple(map(float, p.split(","))) for p in spark.points.split()]
    assert len(points) == 3
    assert all(0 <= x <= spark.width and 0 <= y <= spark.height for x, y in points)
    assert points[2][1] < points[1][1] < points[0][1]  # higher values are drawn higher
    assert (spark.last_x, spark.last_y) == points[-1]


def test_spark_text_uses_the_block_range() -> None:
    assert spark_text([0, 4, 8]) == "▁▅█"
    assert spark_text([0, 0]) == "▁▁"
    assert spark_text([]) == ""


def test_email_digest_has_no_svg() -> None:
    out = render_digest(_hostile_digest(), META, email=True)
    assert "<svg" not in out.html and "▂▂█" in out.html  # the series 1, 1, 5
    assert "▂▂█" in out.text


def test_sparkline_of_zeros_and_empty() -> None:
    assert len(sparkline([0, 0], "x").points.split()) == 2
    assert len(sparkline([], "x").points.split()) == 1


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (120, 200), (500, 500)])
def test_nice_max(value: float, expected: int) -> None:
    assert nice_max(value) == expected


def test_line_chart_axes() -> None:
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(30)]
    chart = line_chart([("a", list(range(30))), ("b", [3] * 30)], days, "label")
    assert [t.label for t in chart.y_ticks] == ["0", "25", "50"]
    assert chart.x_ticks[0].label == "01 Jan" and chart.x_ticks[-1].label == "30 Jan"
    assert len(chart.lines) == 2 and chart.lines[0].color != chart.lines[1].color
    assert chart.lines[0].total == sum(range(30))


def test_a_topic_chart_starts_at_its_first_article_and_shows_at_least_two_weeks() -> None:
    days = tuple(date(2026, 1, 1) + timedelta(days=i) for i in range(90))
    late = (0,) * 60 + (2,) + (1,) * 29
    assert since_first(late, days) == (late[60:], days[60:])
    recent = (0,) * 85 + (3,) * 5
    assert since_first(recent, days) == (recent[-14:], days[-14:])
    assert since_first((0,) * 90, days) == ((0,) * 14, days[-14:])
    whole = (1,) + (0,) * 89
    assert since_first(whole, days) == (whole, days)


def test_digest_window_is_the_24_hours_before_the_local_digest_time() -> None:
    start, end = digest_window(date(2026, 3, 10), "07:00", "Europe/Berlin")
    assert end == datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=24)


def test_digest_window_across_a_dst_change_is_still_24_hours() -> None:
    start, end = digest_window(date(2026, 3, 29), "07:00", "Europe/Berlin")  # clocks go forward that night
    assert end == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=24)


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 3, 10, 6, 59, tzinfo=UTC), date(2026, 3, 9)),
    (datetime(2026, 3, 10, 7, 0, tzinfo=UTC), date(2026, 3, 10)),
    (datetime(2026, 3, 10, 23, 30, tzinfo=UTC), date(2026, 3, 10)),
])
def test_due_day(now: datetime, expected: date) -> None:
    assert due_day(now, "07:00", "UTC") == expected


def test_due_day_uses_the_local_date() -> None:
    # 23:30 UTC is already 08:30 on the next day in Tokyo
    assert due_day(datetime(2026, 3, 10, 23, 30, tzinfo=UTC), "08:00", "Asia/Tokyo") == date(2026, 3, 11)


def _hostile_digest() -> DigestData:
    links_ = (Link(XSS_TITLE, JS_URL, HOSTILE_FEED, T0), Link("ok", "https://a.example.org/x", "A", T0))
    story = StoryView(7, XSS_TITLE, 2, 2, T0, T0, 1, None, links_, 2)
    topic = TopicTrend(1, f"{XSS_IMG} topic", (XSS_IMG,), (XSS_TITLE,), count=5, baseline=1.0, series=(1, 1, 5),
                       stories=(story,))
    alert = StoredAlert(3, "spike", "topic", "1", XSS_TITLE, T0.date(), 5, 1.0, 4.0, XSS_IMG, T0, (7,), 1)
    watch = WatchHit("Sberbank", 2, 0.5, links_)
    return DigestData(date(2026, 3, 10), T0, T0 + timedelta(hours=24), "UTC", 7, 3.0, (topic,), (topic,), (alert,),
                      (watch,), 2)


def test_digest_escapes_hostile_titles_urls_and_names() -> None:
    out = render_digest(_hostile_digest(), META, site_root="../", site_nav=True)
    assert audit(out.html) == []
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in out.html
    assert "e.g. “&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;Sberbank &amp; DeepSeek" in out.html
    assert f'e.g. "{XSS_TITLE}' in out.text  # a new topic is shown with its most central headline
    assert "Монитор &lt;tech&gt;" in out.html
    assert "#" in links(out.html) and not any("javascript" in h.lower() for h in links(out.html))
    assert "../stories/7.html" in links(out.html) and "../topics/1.html" in links(out.html)


def test_digest_text_is_plain_and_one_value_per_line() -> None:
    out = render_digest(_hostile_digest(), META)
    assert "&lt;" not in out.text and "&amp;" not in out.text  # text/plain: shown as the feed wrote it
    assert XSS_TITLE in out.text
    assert "javascript:" not in out.text
    assert "stories/7" not in out.text  # no site links without a site root


def test_empty_digest_says_so_in_one_line() -> None:
    empty = DigestData(date(2026, 3, 10), T0, T0 + timedelta(hours=24), "UTC", 0)
    out = render_digest(empty, META)
    assert "No new articles in this period." in out.html
    assert "<h2" not in out.html
    assert out.subject.endswith("no new articles")
    assert sum("No new articles" in line for line in out.text.splitlines()) == 1


def test_headline_and_subject_name_the_top_topic_and_alerts() -> None:
    d = _hostile_digest()
    assert headline(d).startswith("7 articles in the last 24 hours (+133 % vs usual)")
    assert "1 alert" in headline(d)
    assert subject(d, "Monitor") == f"Monitor digest, Tue 10 Mar 2026: 7 articles, top: {XSS_IMG} topic, 1 alert"
    assert "\n" not in subject(d, "a\nb")


def test_digest_reads_rising_topics_first_then_the_analysts_then_discovered_ones() -> None:
    quiet = TopicTrend(1, "AI alliances", seeded=True, count=1, baseline=1.2)
    filler = TopicTrend(2, "Film festival", count=2, baseline=0.3)  # +567 %, but 1.7 deviations: chance
    busy = TopicTrend(3, "Semiconductors", seeded=True, count=3, baseline=2.5)
    spike = TopicTrend(4, "Sanctions", seeded=True, count=18, baseline=1.2)
    new = TopicTrend(5, "Chip smuggling", count=6, baseline=0.5)  # discovered, and rising beyond chance
    order = sorted([quiet, filler, busy, spike, new], key=reading_order)
    assert [t.name for t in order] == ["Sanctions", "Chip smuggling", "Semiconductors", "AI alliances", "Film festival"]
    d = DigestData(date(2026, 3, 10), T0, T0 + timedelta(hours=24), "UTC", 30, topics=tuple(order))
    assert headline(d).endswith("; rising: Sanctions ▲, Chip smuggling ▲.")
    calm = replace(d, topics=(busy, quiet, filler))
    assert "no topic beyond its usual range" in headline(calm) and "rising" not in headline(calm)


def test_alert_email_and_payloads_escape_hostile_text() -> None:
    alert = _hostile_digest().alerts[0]
    subj, html, text = render_alert_email([alert], META)
    assert XSS_TITLE in text
    assert audit(html) == []
    assert XSS_TITLE in subj and "\n" not in subj
    assert "https://monitor.example.org/topics/1.html" in links(html)
    payload = json_payload(alert, META)
    assert payload["title"] == XSS_TITLE and payload["url"] == "https://monitor.example.org/topics/1.html"
    slack = slack_payload(alert, META)
    block = slack["blocks"][0]["text"]["text"]
    assert "<script>" not in block and "&lt;script&gt;" in block
    assert block.startswith("<https://monitor.example.org/topics/1.html|")
    assert "<!" not in slack["text"]


def test_a_span_within_one_day_names_the_day_once() -> None:
    from datetime import datetime

    from monitor.render.env import day_span

    morning, evening = datetime(2026, 11, 29, 8), datetime(2026, 11, 29, 21)
    assert day_span(morning, evening) == "Sun 29 Nov 2026"
    assert day_span(morning, datetime(2026, 11, 30, 1)) == "Sun 29 Nov 2026 – Mon 30 Nov 2026"
