"""New pairings and listed parties end to end on the two real sample articles: the trend stage stores the
alert, the alert delivery sends it, the digest shows it; a near-duplicate copy is not a second source."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from conftest import SAMPLES
from mention_kit import ALIASES, AliasScanner, ListedScanner, add_article, add_feeds, at
from outputs_kit import audit, webhook_server

from monitor.config import Config
from monitor.deliver.alerts import send_pending
from monitor.deliver.digests import digest_data, render_for_site
from monitor.settings import Settings
from monitor.store.alerts import list_alerts
from monitor.trends.service import refresh

NOW = at(10, 9)  # the 10 March digest (07:00 UTC) covers 9 March 07:00 to 10 March 07:00
HOSTILE = "<script>alert('party')</script>Acme & Sons"


def _samples() -> list[tuple[str, str]]:
    out = []
    for path in sorted(Path(SAMPLES).glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        out.append((lines[1][:120], "\n".join(lines)))
    return out


def _config(tmp_path: Path, history: int = 0, **alerts: object) -> Config:
    """``history``: days with stored articles a day needs before it can alert (0 here: these tests are about
    the pairing; ``test_no_pairing_on_a_monitor_without_history`` is about the wait)."""
    return Config(feeds=[{"name": "Wire", "url": "https://wire.example.org/rss"}], data_dir=str(tmp_path / "data"),
                  site={"out": str(tmp_path / "site")}, alerts={"email": False, **alerts},
                  trends={"min_history_days": history})


def _unwatched(tmp_path: Path) -> Config:
    """No watch terms: the default list watches Sberbank, whose spike would then be the watch term's."""
    return Config(**{**_config(tmp_path).model_dump(by_alias=True), "watchlist": []})


def _scanners() -> list:
    return [AliasScanner(), ListedScanner({"Sberbank": ("OFAC SDN", "RUSSIA-EO14024", "2022-04-06"),
                                           HOSTILE: ("UK sanctions list", "<b>Russia</b>", "2023-01-01")})]


def test_pairing_across_two_outlets_is_alerted_delivered_and_in_the_digest(engine: sa.Engine, tmp_path: Path) -> None:
    (title0, text0), (title1, text1) = _samples()
    feeds = add_feeds(engine, ["Reuters Wire", "<img src=x onerror=alert(1)>Byteline"])
    add_article(engine, "s0", title0, text0 + f"\n{HOSTILE} was named.", feeds["Reuters Wire"], at(9, 9))
    add_article(engine, "s1", title1, text1, feeds["<img src=x onerror=alert(1)>Byteline"], at(9, 15))

    with webhook_server() as hook:
        config = _config(tmp_path, webhook_url=hook.url)
        refresh(engine, config, NOW, _scanners())
        refresh(engine, config, NOW, _scanners())  # a second run alerts nothing again
        send_pending(engine, config, Settings(), NOW)

    pairings = {a.subject: a for a in list_alerts(engine) if a.kind == "new_pairing"}
    # Putin, Xi Jinping and Sberbank are in both articles; DeepSeek and GigaChat only in the first
    assert set(pairings) == {"person:putin|person:xi", "org:sberbank|person:putin", "org:sberbank|person:xi"}
    alert = pairings["person:putin|person:xi"]
    assert alert.subject_kind == "entity" and alert.day == at(9).date() and alert.title == \
        "New pairing: Vladimir Putin + Xi Jinping"
    assert "Reuters Wire" in alert.reason and "2 independent outlets" in alert.reason
    assert alert.reason.endswith("since Mon 9 Mar 2026.")  # days read as on the site and in the digest
    assert sorted(b["subject"] for b in hook.bodies if b["kind"] == "new_pairing") == sorted(pairings)

    data = digest_data(engine, config, at(10).date())
    assert {(p.a.key, p.b.key) for p in data.pairings} == {("person:putin", "person:xi"),
                                                            ("org:sberbank", "person:putin"),
                                                            ("org:sberbank", "person:xi")}
    assert [(v.party.label, v.party.articles, v.list_name, v.programme, v.listed_on) for v in data.listed] == [
        ("Sberbank", 2, "OFAC SDN", "RUSSIA-EO14024", "2022-04-06"),  # most articles first
        (HOSTILE, 1, "UK sanctions list", "<b>Russia</b>", "2023-01-01")]
    rendered = render_for_site(data, config)
    assert '<h2 id="pairings">New pairings</h2>' in rendered.html
    assert "<h2>Listed parties in the news</h2>" in rendered.html
    # each pairing once, in its own section with its articles; the alerts list points there
    alerted = [a for a in data.alerts if a.kind == "new_pairing"]
    assert len(alerted) == 3 and all(rendered.html.count(a.title) == 0 for a in alerted)
    assert "3 new pairings: under" in rendered.html and "3 new pairings: under New pairings below." in rendered.text
    assert rendered.text.count("Vladimir Putin + Xi Jinping") == 1
    assert "Vladimir Putin</a> + <a" in rendered.html and "RUSSIA-EO14024" in rendered.html
    assert audit(rendered.html) == []
    assert "&lt;script&gt;alert(&#39;party&#39;)&lt;/script&gt;Acme &amp; Sons" in rendered.html
    assert "&lt;b&gt;Russia&lt;/b&gt;" in rendered.html
    assert "== New pairings ==" in rendered.text and "Vladimir Putin + Xi Jinping" in rendered.text
    assert "== Listed parties in the news ==" in rendered.text and "OFAC SDN, RUSSIA-EO14024" in rendered.text


def test_a_product_and_its_maker_are_not_news_together(engine: sa.Engine, tmp_path: Path) -> None:
    """With GigaChat configured as Sberbank's, two outlets naming Sberbank, GigaChat and DeepSeek give one new
    pairing, GigaChat + DeepSeek: not GigaChat + Sberbank, nor the broader Sberbank + DeepSeek."""
    feeds = add_feeds(engine, ["Wire", "Daily"])
    add_article(engine, "a", "Sberbank's GigaChat meets DeepSeek", "", feeds["Wire"], at(9, 9))
    add_article(engine, "b", "GigaChat by Sberbank and DeepSeek", "", feeds["Daily"], at(9, 12))
    maker = {"key": "org:gigachat", "name": "GigaChat", "type": "product", "parent": "org:sberbank"}
    config = Config(**{**_config(tmp_path).model_dump(by_alias=True), "entities": [maker]})
    refresh(engine, config, NOW, [AliasScanner()])
    assert [a.subject for a in list_alerts(engine) if a.kind == "new_pairing"] == ["org:deepseek|org:gigachat"]
    assert [(p.a.key, p.b.key) for p in digest_data(engine, config, at(10).date()).pairings] == [
        ("org:deepseek", "org:gigachat")]
    unrelated = _config(tmp_path)
    assert len(digest_data(engine, unrelated, at(10).date()).pairings) == 3


def test_one_outlet_and_its_near_duplicate_copy_make_no_pairing(engine: sa.Engine, tmp_path: Path) -> None:
    (title0, text0), _ = _samples()
    feeds = add_feeds(engine, ["Reuters Wire", "Syndicator"])
    first = add_article(engine, "s0", title0, text0, feeds["Reuters Wire"], at(9, 9))
    add_article(engine, "s0-copy", title0, text0, feeds["Reuters Wire"], at(9, 10), duplicate_of=first)
    add_article(engine, "s0-syndicated", title0, text0, feeds["Syndicator"], at(9, 11), duplicate_of=first)
    config = _config(tmp_path)
    refresh(engine, config, NOW, [AliasScanner()])

    assert [a for a in list_alerts(engine) if a.kind == "new_pairing"] == []
    data = digest_data(engine, config, at(10).date())
    assert data.pairings == () and data.listed == ()
    rendered = render_for_site(data, config)
    assert "New pairings" not in rendered.html and "Listed parties" not in rendered.html
    assert "New pairings" not in rendered.text


def test_a_pairing_seen_before_the_period_is_not_new(engine: sa.Engine, tmp_path: Path) -> None:
    feeds = add_feeds(engine, ["Wire", "Daily"])
    add_article(engine, "old", "Sberbank and DeepSeek", "", feeds["Wire"], at(1, 9))  # 9 days before
    add_article(engine, "a", "Sberbank and DeepSeek", "", feeds["Wire"], at(9, 9))
    add_article(engine, "b", "Sber with DeepSeek", "", feeds["Daily"], at(9, 12))
    config = _config(tmp_path)
    refresh(engine, config, NOW, [AliasScanner()])
    assert [a for a in list_alerts(engine) if a.kind == "new_pairing"] == []
    shorter = Config(**{**config.model_dump(by_alias=True), "trends": {"pairing_days": 3, "min_history_days": 0}})
    assert digest_data(engine, shorter, at(10).date()).pairings == ()
    longer = Config(**{**config.model_dump(by_alias=True),
                       "trends": {"pairing_days": 10, "min_history_days": 0}})  # the old one is inside
    [found] = digest_data(engine, longer, at(10).date()).pairings
    assert (found.a.key, found.b.key, found.first_seen, found.outlets) == ("org:deepseek", "org:sberbank", at(1, 9),
                                                                           ("Wire", "Daily"))


def _sberbank_day(engine: sa.Engine) -> None:
    """One article a day naming Sberbank among the day's other news, then eight in one day (the 9th)."""
    feeds = add_feeds(engine, ["Wire", "Daily"])
    for day in range(1, 10):
        if day < 9:
            add_article(engine, f"usual{day}", "Sberbank quarterly note", "", feeds["Wire"], at(day, 10))
        for j in range(3):
            add_article(engine, f"other{day}-{j}", f"Harbour traffic report {j}", "", feeds["Daily"], at(day, 12 + j))
    for i in range(8):
        add_article(engine, f"burst{i}", f"Sberbank news {i}", "", feeds["Wire" if i % 2 else "Daily"], at(9, 8 + i))


def test_an_entity_named_far_more_than_usual_alerts_once(engine: sa.Engine, tmp_path: Path) -> None:
    _sberbank_day(engine)
    config = _unwatched(tmp_path)
    refresh(engine, config, NOW, [AliasScanner()])
    refresh(engine, config, NOW, [AliasScanner()])
    spikes = [a for a in list_alerts(engine) if a.kind == "entity_spike"]
    assert [(a.subject_kind, a.subject, a.day, a.count, a.title) for a in spikes] == [
        ("entity", "org:sberbank", at(9).date(), 8, "Spike: Sberbank")]
    assert spikes[0].reason.startswith("8 articles about Sberbank on Mon 9 Mar 2026 against a 14-day baseline")


def test_a_watched_entity_s_spike_is_told_once_as_the_watch_term_s(engine: sa.Engine, tmp_path: Path) -> None:
    """With "Sber" on the watchlist (Sberbank's alias), the day's spike is one alert, "Spike: Sber", not
    also an entity spike of Sberbank; the watch term's spike is the one the analyst asked for."""
    _sberbank_day(engine)
    config = Config(**{**_config(tmp_path).model_dump(by_alias=True), "watchlist": [{"name": "Sber"}]})
    refresh(engine, config, NOW, [AliasScanner()])
    spikes = [(a.kind, a.subject, a.day) for a in list_alerts(engine) if a.kind.endswith("spike")]
    assert spikes == [("watch_spike", "Sber", at(9).date())]


def test_a_news_medium_credited_by_articles_neither_spikes_nor_pairs(engine: sa.Engine, tmp_path: Path) -> None:
    """"Reuters reported" names the messenger, not an actor: its mentions are kept, but a busy day of
    credited articles is no entity spike, and an actor named beside it is no new pairing."""
    feeds = add_feeds(engine, ["Wire", "Daily"])
    for day in range(1, 10):
        if day < 9:
            add_article(engine, f"usual{day}", "Sberbank quarterly note", "", feeds["Wire"], at(day, 10))
        for j in range(3):
            add_article(engine, f"other{day}-{j}", f"Harbour traffic report {j}", "", feeds["Daily"], at(day, 12 + j))
    for i in range(8):
        add_article(engine, f"burst{i}", f"Sberbank news {i}, Reuters reports", "", feeds["Wire" if i % 2 else "Daily"],
                    at(9, 8 + i))
    scanner = AliasScanner(aliases={**ALIASES, "media:reuters": ("Reuters", ["Reuters"])})
    refresh(engine, _unwatched(tmp_path), NOW, [scanner])
    alerts = list_alerts(engine)
    assert [a.subject for a in alerts if a.kind == "entity_spike"] == ["org:sberbank"]
    assert not [a for a in alerts if "media:reuters" in a.subject]
    assert digest_data(engine, _config(tmp_path), at(10).date()).pairings == ()
    with engine.connect() as conn:  # still read and counted
        assert conn.execute(sa.text("SELECT count(*) FROM mention WHERE key = 'media:reuters'")).scalar() == 8


def test_no_pairing_on_a_monitor_without_history(engine: sa.Engine, tmp_path: Path) -> None:
    """On a new monitor every two names are named together "for the first time": the pairing alerts only
    once articles were stored on enough of the days before the one it was first seen on."""
    (title0, text0), (title1, text1) = _samples()
    feeds = add_feeds(engine, ["Reuters Wire", "Byteline"])
    add_article(engine, "s0", title0, text0, feeds["Reuters Wire"], at(9, 9))
    add_article(engine, "s1", title1, text1, feeds["Byteline"], at(9, 15))
    config = _config(tmp_path, history=3)
    refresh(engine, config, NOW, _scanners())
    assert not [a for a in list_alerts(engine) if a.kind == "new_pairing"]
    assert digest_data(engine, config, at(10).date()).pairings == ()

    for day in (6, 7, 8):  # the monitor ran on the three days before: now the pairing is new against them
        add_article(engine, f"quiet{day}", "Weather report", "Rain is expected across the region today.",
                    feeds["Byteline"], at(day, 9))
    refresh(engine, config, NOW, _scanners())
    assert "person:putin|person:xi" in {a.subject for a in list_alerts(engine) if a.kind == "new_pairing"}
    assert ("person:putin", "person:xi") in {(p.a.key, p.b.key) for p in digest_data(engine, config, at(10).date()).pairings}
