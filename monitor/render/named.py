"""Pages about what articles name: one per entity and per instrument, and an index of each (pure)."""

from __future__ import annotations

from monitor.render.charts import line_charts
from monitor.render.env import oneline, render
from monitor.records import PAGE_FOLDERS, NamedPage
from monitor.render.records import SiteData

TITLES = {"entity": "Entities", "instrument": "Legal instruments"}


def pages_of(data: SiteData, kind: str) -> tuple[NamedPage, ...]:
    return data.entities if kind == "entity" else data.instruments


def render_named(data: SiteData, page: NamedPage) -> str:
    name = oneline(page.named.label, 80)
    chart = line_charts([(name, page.series)], data.days, f"Daily articles naming {name}, last {len(data.days)} days")
    paged = {p.named.key for p in data.entities}
    return render("named.html", meta=data.meta, root="../", page=page, chart=chart, paged=paged,
                  index=TITLES[page.named.kind], media=data.media)


def render_named_index(data: SiteData, kind: str) -> str:
    pages = pages_of(data, kind)
    return render("named_index.html", meta=data.meta, root="../", title=TITLES[kind], kind=kind,
                  groups=[(None, [p for p in pages if p.named.key not in data.media]),
                          ("News media", [p for p in pages if p.named.key in data.media])],
                  days=min(30, len(data.days)))


def named_files(data: SiteData) -> dict[str, str]:
    """Every page of this module: its path under the site root -> its HTML."""
    out = {}
    for kind, folder in PAGE_FOLDERS.items():
        out[f"{folder}/index.html"] = render_named_index(data, kind)
        for page in pages_of(data, kind):
            out[page.named.page or ""] = render_named(data, page)
    return out
