"""Pure trend functions: watchlist matching, daily counts, spike / first-seen / emerging detection."""

from __future__ import annotations

from datetime import date, timedelta

from monitor.trends.alerts import draft
from monitor.trends.counts import DayArticle, daily_counts
from monitor.trends.detect import SpikeRule, emerging, first_seen, has_history, is_spike, spikes
from monitor.trends.watch import compile_watchlist

DAY = date(2026, 5, 20)
RULE = SpikeRule(baseline_days=14, min_count=5, z_threshold=3.0, ratio=2.0)


def quiet(level: int = 1, days: int = 20) -> dict[date, int]:
    return {DAY - timedelta(days=i): level for i in range(1, days + 1)}


def test_watchlist_matches_on_word_boundaries_in_any_script() -> None:
    matcher = compile_watchlist([("SMIC", ["中芯国际"]), ("Sberbank", ["Sber", "Сбербанк"]), ("Huawei", ["华为"]),
                                 ("BRICS", ["БРИКС"]), ("DeepSeek", [])])
    assert matcher.matches("Cosmic rays and smicro chips") == set()
    assert matcher.matches("Shares of smic fell") == {"SMIC"}
    assert matcher.matches("中芯国际扩大产能") == {"SMIC"}
    assert matcher.matches("华为发布新芯片") == {"Huawei"}
    assert matcher.matches("Сбербанк и БРИКС") == {"Sberbank", "BRICS"}
    for inflected in ("Сбербанка", "сбербанком", "о Сбербанке", "Сбербанку,"):
        assert matcher.matches(inflected) == {"Sberbank"}, inflected  # Russian case endings
    assert matcher.matches("Сбербанковский") == set()  # a longer word is not the term
    assert matcher.matches("саммит БРИКСа") == {"BRICS"}
    assert matcher.matches("Сберегательный") == set()  # "Сбер" plus something that is not an ending
    short = compile_watchlist([("MTS", ["МТС"])])
    assert short.matches("МТС") == {"MTS"} and short.matches("МТСом") == set()  # too short to inflect safely
    assert matcher.matches("SBER signs with DEEPSEEK.") == {"Sberbank", "DeepSeek"}
    assert matcher.matches("Sberbanking news") == set()


def test_daily_counts_and_shares() -> None:
    matcher = compile_watchlist([("DeepSeek", [])])
    rows = [DayArticle(DAY, "DeepSeek model", 1, 10), DayArticle(DAY, "chips", 1, 10),
            DayArticle(DAY, "weather", None, None), DayArticle(DAY - timedelta(days=1), "deepseek", 2, 11)]
    counts = daily_counts(rows, matcher)
    by_key = {(r.day, r.kind, r.key): r for r in counts.rows}
    assert by_key[(DAY, "total", "all")].count == 3
    assert by_key[(DAY, "topic", "1")].count == 2
    assert abs(by_key[(DAY, "topic", "1")].share - 2 / 3) < 1e-9
    assert by_key[(DAY, "watch", "DeepSeek")].count == 1
    assert by_key[(DAY, "story", "10")].count == 2
    assert counts.top_stories("topic", "1", DAY) == [10]
    assert (DAY, "topic", "None") not in by_key


def test_spike_needs_min_count_ratio_and_score() -> None:
    assert is_spike({**quiet(1), DAY: 3}, DAY, RULE)[0] is False  # 1 -> 3: quiet topic, below min_count
    hit, mean, score = is_spike({**quiet(1), DAY: 12}, DAY, RULE)
    assert hit and mean == 1.0 and score > 10
    assert is_spike({**quiet(20), DAY: 27}, DAY, RULE)[0] is False  # busy topic, ordinary noise
    assert is_spike({DAY: 6}, DAY, RULE)[0] is True  # no history: 6 against zero


def test_continuing_spike_reported_once_on_its_first_day() -> None:
    series = {**quiet(1), DAY: 15, DAY + timedelta(days=1): 18}
    found = spikes(series, "7", [DAY, DAY + timedelta(days=1)], RULE)
    assert [(s.day, s.count) for s in found] == [(DAY, 15)]
    assert spikes(series, "7", [DAY + timedelta(days=1)], RULE) == []


def test_first_seen_only_when_first_day_is_checked() -> None:
    series = {DAY - timedelta(days=3): 2, DAY: 1}
    assert first_seen(series, "Huawei", [DAY]) == []
    (signal,) = first_seen(series, "Huawei", [DAY - timedelta(days=3)])
    assert signal.count == 2 and signal.kind == "first_seen"


def test_emerging_topic_reported_once_when_it_grows() -> None:
    start = DAY - timedelta(days=4)
    series = {start: 1, start + timedelta(days=1): 1, start + timedelta(days=3): 3, DAY: 4}
    days = [start + timedelta(days=i) for i in range(5)]
    found = emerging(series, "12", start, days, window=7, min_count=5)
    assert [s.day for s in found] == [start + timedelta(days=3)]
    shrinking = {start: 4, start + timedelta(days=1): 3, start + timedelta(days=2): 1}
    assert emerging(shrinking, "12", start, days, window=7, min_count=5) == []


def test_alert_drafts_have_stable_keys_and_reasons() -> None:
    (signal,) = spikes({**quiet(1), DAY: 12}, "3", [DAY], RULE)
    alert = draft(signal, "topic", "Sanctions and export controls", 14, [5, 9])
    assert alert.dedup_key == f"spike:topic:3:{DAY.isoformat()}"
    assert "12 articles" in alert.reason and "14-day baseline of 1.0" in alert.reason
    assert alert.story_ids == (5, 9)
    assert draft(signal, "topic", "x", 14, []).dedup_key == alert.dedup_key


def test_site_momentum_is_the_score_an_alert_reports() -> None:
    from monitor.render.trend import momentum

    for quiet_level, today in ((0, 6), (1, 12), (3, 9)):
        series = {**quiet(quiet_level, days=14), DAY: today}
        _, mean, score = is_spike(series, DAY, RULE)
        assert momentum(today, mean) == score


def test_watchlist_prefilter_never_changes_what_matches() -> None:
    matcher = compile_watchlist([("SMIC", ["中芯国际"]), ("Sberbank", ["Sber", "Сбербанк"]), ("Huawei", ["华为"])])
    texts = ["Cosmic rays and smicro chips", "Shares of smic fell", "中芯国际扩大产能", "о Сбербанке",
             "SBER signs", "Sberbanking news", "nothing to see", "华为发布新芯片"]
    for text in texts:
        by_pattern = {n for n, p in zip(matcher.names, matcher.patterns, strict=True) if p.search(text)}
        assert matcher.matches(text) == by_pattern, text
    assert matcher.candidates("nothing to see") == []  # no pattern runs on a text without any spelling
    assert matcher.candidates("Cosmic rays and smicro chips") == [0]  # a substring, then the pattern decides


def test_a_day_has_history_when_enough_of_its_baseline_days_hold_articles() -> None:
    day = date(2026, 4, 30)
    totals = {day - timedelta(days=i): 3 for i in (1, 2, 5, 9, 20)}  # 20 days back: outside the baseline
    assert has_history(day, totals, baseline_days=14, least=4)
    assert not has_history(day, totals, baseline_days=14, least=5)
    assert not has_history(day, {day: 40}, baseline_days=14, least=1)  # the day itself is not its history
    assert has_history(day, {}, baseline_days=14, least=0)
    assert has_history(day, {day - timedelta(days=i): 1 for i in range(1, 4)}, baseline_days=3, least=7)  # at most all
