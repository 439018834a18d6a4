"""A deterministic, labelled synthetic news corpus for the demo, the tests and the benchmarks.

``build_corpus`` returns a few hundred short articles over ``days`` days ending
on ``end``: reports on the default analyst themes (each labelled with its topic
name), off-topic noise (topic ``"noise"``), same-event stories reported by
several outlets in different words (shared ``story`` label; ``None`` for a
one-off report), the two real sample articles as one story, and a planted
spike: on :func:`planted_spike` day the sanctions theme jumps far above its
usual volume. The same seed always gives the same corpus. Pure: no clock, no I/O
beyond reading the packaged sample texts.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources

from monitor.demo.templates import (CITIES, LISTS, MODELS, NOISE, NOISE_CITIES, NOISE_NUMBERS, NOISE_SLOTS,
                                    PEOPLE_FIRST, PEOPLE_LAST, TEAMS, THEMES, Theme)

DEFAULT_END = date(2026, 11, 20)
OUTLETS = ("Meridian Wire", "Eastern Ledger", "Policy Dispatch", "Silicon Steppe", "Harbor Times",
           "Global Circuit", "Northern Review", "Capital Signal")
# each outlet's (bloc, ownership, region) in the demo's feeds.yaml: coverage by bloc has something to compare
OUTLET_PROFILES = {
    "Meridian Wire": ("west", "independent", "US"), "Eastern Ledger": ("russia", "state", "RU"),
    "Policy Dispatch": ("west", "think-tank", "EU"), "Silicon Steppe": ("russia", "independent", "RU"),
    "Harbor Times": ("china", "state", "CN"), "Global Circuit": ("global-south", "public", "IN"),
    "Northern Review": ("west", "public", "UK"), "Capital Signal": ("china", "state", "CN"),
}
SPIKE_TOPIC = "Sanctions and export controls"
SPIKE_DAYS_BEFORE_END = 3
MAX_PER_TOPIC_DAY = 4  # keeps ordinary days quiet, so only the planted spike stands out
NOISE_GAP = 5  # days before a kind of off-topic news comes back: longer than the stories' three-day window


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    outlet: str
    title: str
    text: str
    url_path: str
    published: datetime
    topic: str
    story: str | None


@dataclass(frozen=True)
class _Draft:
    outlet: str
    title: str
    text: str
    published: datetime
    topic: str
    story: str | None


def planted_spike(days: int = 30, end: date | None = None) -> tuple[str, date]:
    """The topic name and day of the planted spike in ``build_corpus(days=days, end=end)``."""
    end = end or DEFAULT_END
    return SPIKE_TOPIC, end - timedelta(days=min(SPIKE_DAYS_BEFORE_END, days - 1))


def build_corpus(seed: int = 7, days: int = 30, end: date | None = None) -> list[CorpusArticle]:
    """The labelled corpus, ordered by publication time."""
    if days < 1:
        raise ValueError("days must be at least 1")
    end = end or DEFAULT_END
    gen = _Generator(random.Random(seed), end - timedelta(days=days - 1), end)
    for offset in range(days):
        gen.day(offset)
    gen.spike(planted_spike(days, end)[1])
    gen.one_bloc(end - timedelta(days=min(1, days - 1)))
    gen.samples(gen.start + timedelta(days=days // 2))
    return _finish(gen.drafts)


class _Generator:
    def __init__(self, rng: random.Random, start: date, end: date) -> None:
        self.rng, self.start, self.end = rng, start, end
        self.drafts: list[_Draft] = []
        self.per_day: dict[tuple[str, date], int] = {}
        self.recent: dict[str, list[tuple[date, str, str, str, str, str]]] = {}
        self.noise_seen: dict[str, date] = {}  # each kind of off-topic news: the last day it was in
        self.noise_cities: dict[str, date] = {}  # each city: the last day it had off-topic news
        self.stories = 0
        self.limit = datetime.combine(end, time(23, 59), UTC)

    def day(self, offset: int) -> None:
        day = self.start + timedelta(days=offset)
        for topic in THEMES:
            if self.rng.random() < 0.45:
                self.event(topic, day, outlets=1, spread=0.0)
            if self.rng.random() < 0.22:
                self.event(topic, day, outlets=self.rng.randint(2, 4), spread=30.0)
        for _ in range(self.rng.randint(0, 3)):
            self.noise(day, story=None)
        if offset % 9 == 4:  # a match that most outlets report
            self.noise(day, story=self._story_label("noise"), outlets=self.rng.randint(5, 7))

    def spike(self, day: date) -> None:
        for _ in range(4):
            self.event(SPIKE_TOPIC, day, outlets=self.rng.randint(4, 5), spread=7.0, capped=False)

    def one_bloc(self, day: date) -> None:
        """A national champion's release that only the Russian outlets report: a story of one bloc."""
        russian = tuple(o for o, (bloc, _, _) in OUTLET_PROFILES.items() if bloc == "russia")
        self.event("State-backed AI champions", day, outlets=len(russian), spread=10.0, capped=False, among=russian)

    def event(self, topic: str, day: date, outlets: int, spread: float, capped: bool = True,
              among: tuple[str, ...] = OUTLETS) -> None:
        theme = THEMES[topic]
        slots = self._slots(topic, theme, day)
        story = self._story_label(topic) if outlets > 1 else None
        start = datetime.combine(day, time(6), UTC) + timedelta(hours=self.rng.uniform(0, 10 if spread else 16))
        for outlet in self.rng.sample(among, outlets):
            when = (start + timedelta(hours=self.rng.uniform(0, spread))).replace(second=0, microsecond=0)
            if when > self.limit or (capped and not self._room(topic, when.date())):
                continue
            self._add(outlet, _cap(_fill(self.rng.choice(theme["title"]), slots)), self._body(theme, slots), when,
                      topic, story)

    def noise(self, day: date, story: str | None, outlets: int = 1) -> None:
        """Off-topic news: a match reported by ``outlets`` outlets as one story, or a one-off report of another
        kind (a one-off match of the story's teams was read as part of it). A kind of news recurs only after
        ``NOISE_GAP`` days (each city's heatwave is its own event, and reads almost like the last one), and a
        city has no other off-topic news for as long (a city's name is often all two short reports share:
        bread prices and a concert season in one city were read as one story)."""
        fresh = [k for k in sorted(NOISE)
                 if k != "match" and (day - self.noise_seen.get(k, date.min)).days >= NOISE_GAP]
        if not story and not fresh:
            return
        kind = "match" if story else self.rng.choice(fresh)
        self.noise_seen[kind] = day
        theme = NOISE[kind]
        slots = self._noise_slots(day)
        when = datetime.combine(day, time(7), UTC) + timedelta(hours=self.rng.uniform(0, 14))
        for outlet in self.rng.sample(OUTLETS, outlets):
            body = self.rng.sample(theme["body"], min(4, len(theme["body"])))
            title = _cap(_fill(self.rng.choice(theme["title"]), slots))
            self._add(outlet, title, " ".join(_cap(_fill(s, slots)) for s in body),
                      when + timedelta(minutes=self.rng.randint(0, 300)), "noise", story)

    def _noise_slots(self, day: date) -> dict[str, str]:
        """One off-topic event's names and figures."""
        rng = self.rng
        team, rival, other = rng.sample(TEAMS, 3)
        scorer, coach, person, person2 = (self._person() for _ in range(4))
        slots = {key: rng.choice(values) for key, values in NOISE_SLOTS.items()}
        number = {key: str(rng.randint(low, high)) for key, (low, high) in NOISE_NUMBERS.items()}
        fresh = [c for c in NOISE_CITIES if (day - self.noise_cities.get(c, date.min)).days >= NOISE_GAP]
        city = rng.choice(fresh or NOISE_CITIES)
        self.noise_cities[city] = day
        return {**slots, **number, "city": city, "team": team, "rival": rival, "other": other,
                "scorer": scorer, "coach": coach, "person": person, "person2": person2, "weekday": f"{day:%A}",
                "crowd": f"{rng.randint(8, 60)},{rng.randint(0, 9)}00", "price": f"{rng.randint(2, 40)} euros"}

    def samples(self, day: date) -> None:
        texts = _sample_texts()
        when = datetime.combine(day, time(9, 30), UTC)
        story = self._story_label("AI alliances and partnerships")
        for (title, text), outlet, hours in zip(texts, ("Global Circuit", "Northern Review"), (0, 20), strict=True):
            self._add(outlet, title, text, when + timedelta(hours=hours), "AI alliances and partnerships", story)

    def _add(self, outlet: str, title: str, text: str, when: datetime, topic: str, story: str | None) -> None:
        self.drafts.append(_Draft(outlet, title, text, min(when, self.limit), topic, story))
        key = (topic, when.date())
        self.per_day[key] = self.per_day.get(key, 0) + 1

    def _room(self, topic: str, day: date) -> bool:
        return self.per_day.get((topic, day), 0) < MAX_PER_TOPIC_DAY

    def _story_label(self, topic: str) -> str:
        self.stories += 1
        return f"{_slug(topic)[:24]}-{self.stories:03d}"

    def _slots(self, topic: str, theme: Theme, day: date) -> dict[str, str]:
        """Slot values for one event; its main actors, place, field and person quoted are not reused by the theme
        within four days either side (two events of one theme in one city on one subject would read as one story)."""
        earlier = self.recent.get(topic, [])
        recent = [r for r in earlier if abs((day - r[0]).days) < 4]  # the spike is drawn after the days around it
        a = self._least_used(theme["a"], [r[1] for r in recent])
        b = MODELS.get(a) if topic == "State-backed AI champions" else None
        b = b or self._least_used([x for x in theme["b"] if x != a], [r[2] for r in recent])
        city = self._least_used(CITIES, [r[3] for r in recent])
        field = self._least_used(theme["field"], [r[4] for r in recent])
        person = self._person()
        while person in {r[5] for r in recent}:  # one analyst quoted on two hacks in a day made them one story
            person = self._person()
        self.recent[topic] = [*earlier, (day, a, b, city, field, person)]
        rng = self.rng
        return {"a": a, "b": b, "field": field, "city": city, "person": person,
                "num": str(rng.randint(12, 480)), "months": str(rng.randint(3, 24)),
                "amount": str(rng.randint(5, 95) * 10), "pct": str(rng.randint(3, 40)),
                "list": LISTS.get(a, "its sanctions list"), "weekday": f"{day:%A}"}

    def _least_used(self, values: list[str], used: list[str]) -> str:
        """One of ``values`` not in ``used`` (listed oldest first); when every one is, one of those last used
        longest ago (a day of many sanctions had run out of authorities and drawn one used two days before)."""
        last = {v: i for i, v in enumerate(used)}
        oldest = min(last.get(v, -1) for v in values)
        return self.rng.choice([v for v in values if last.get(v, -1) == oldest])

    def _person(self) -> str:
        return f"{self.rng.choice(PEOPLE_FIRST)} {self.rng.choice(PEOPLE_LAST)}"

    def _body(self, theme: Theme, slots: dict[str, str]) -> str:
        rng = self.rng
        details = rng.sample(theme["detail"], 3)
        parts = [rng.choice(theme["lead"]), details[0], rng.choice(theme["quote"]), *details[1:],
                 *rng.sample(theme["background"], rng.randint(1, 2))]
        return " ".join(_cap(_fill(p, slots)) for p in parts)


def _finish(drafts: list[_Draft]) -> list[CorpusArticle]:
    ordered = sorted(enumerate(drafts), key=lambda pair: (pair[1].published, pair[0]))
    sizes: dict[str | None, int] = {}
    for d in drafts:
        sizes[d.story] = sizes.get(d.story, 0) + 1
    out = []
    for index, (_, d) in enumerate(ordered, start=1):
        ident = f"d{index:04d}"
        path = f"/{_slug(d.outlet)}/{d.published:%Y/%m/%d}/{_slug(d.title)[:60].strip('-')}-{ident}.html"
        story = d.story if sizes[d.story] > 1 else None  # a report whose siblings were capped away
        out.append(CorpusArticle(ident, d.outlet, d.title, d.text, path, d.published, d.topic, story))
    return out


def _fill(template: str, slots: dict[str, str]) -> str:
    """``template`` with its slots filled; a name in the plural takes a bare apostrophe (City Rovers' win)."""
    filled = template.format(**{k: v for k, v in slots.items() if "{" + k + "}" in template})
    return _PLURAL_POSSESSIVE.sub(r"\1'", filled)


_PLURAL_POSSESSIVE = re.compile(r"\b([A-Z][a-z]+s)'s\b")


def _cap(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@cache
def _sample_texts() -> tuple[tuple[str, str], ...]:
    """The two real articles shipped with the package, with short titles."""
    base = resources.files("monitor.demo") / "data"
    pairs = (("Sberbank to work with Chinese researchers on AI as Moscow and Beijing deepen ties",
              "sample_sberbank_deepseek.txt"),
             ("Putin tells Sberbank to team up with China on artificial intelligence",
              "sample_putin_sberbank_china.txt"))
    out = []
    for title, name in pairs:
        lines = (base / name).read_text(encoding="utf-8").splitlines()
        body = [ln.strip() for ln in lines if ln.strip() and not ln.lower().startswith("image credit")]
        out.append((title, "\n".join(body)))
    return tuple(out)
