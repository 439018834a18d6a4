"""The house rules of ARCHITECTURE.md that a machine can check: only monitor/store touches tables and sessions."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "monitor"
STORE = PACKAGE / "store"


def _outside_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORE not in p.parents)


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import in ``path`` that runs, at any depth (lazy imports inside functions
    too); imports for type checkers only (``if TYPE_CHECKING:``) do not count."""
    out = []
    todo: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            todo += node.orelse
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            out += [(node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(a.name, "") for a in node.names]
        todo += ast.iter_child_nodes(node)
    return out


def test_no_module_outside_the_store_imports_the_table_classes() -> None:
    offenders = [f"{p.relative_to(PACKAGE.parent)}: {m} {n}".strip() for p in _outside_store()
                 for m, n in _imports(p)
                 if m == "monitor.store.tables" or (m == "monitor.store" and n == "tables")]
    assert offenders == []


def test_no_module_outside_the_store_opens_a_session() -> None:
    offenders = [f"{p.relative_to(PACKAGE.parent)}: {m}.{n}" for p in _outside_store() for m, n in _imports(p)
                 if (m == "monitor.store.db" and n == "session_scope") or (m in ("sqlmodel", "sqlalchemy.orm")
                                                                          and n in ("Session", "sessionmaker"))]
    assert offenders == []


def test_the_check_sees_lazy_imports_and_not_type_checking_ones(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sqlmodel import Session\n"
                      "def f():\n    from monitor.store.tables import Alert\n    return Alert\n")
    assert ("monitor.store.tables", "Alert") in _imports(module)
    assert ("sqlmodel", "Session") not in _imports(module)


STORE_MAY_NOT_IMPORT = ("monitor.render", "monitor.trends", "monitor.views")
STORE_NOT_YET: set[str] = set()  # modules allowed to read a stage above (none left)


def _store_upward_imports() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(STORE.rglob("*.py")):
        names = [f"{m} {n}".strip() for m, n in _imports(path)
                 if any(m == up or m.startswith(f"{up}.") for up in STORE_MAY_NOT_IMPORT)]
        if names:
            found[str(path.relative_to(PACKAGE.parent))] = names
    return found


def test_the_store_imports_nothing_from_the_stages_above_it() -> None:
    """store/ hands plain records up; ranking, trends and view records belong to views/, trends/ and render/."""
    found = _store_upward_imports()
    assert {k: v for k, v in found.items() if k not in STORE_NOT_YET} == {}
    assert set(found) == STORE_NOT_YET  # a module that stopped leaking leaves the list


def test_only_the_pure_builders_make_the_outputs_view_records() -> None:
    """DigestData, SiteData and TopicTrend are built in monitor/views (pure), never next to a query."""
    views = {"DigestData", "SiteData", "TopicTrend", "WatchHit"}
    makers = sorted(str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
                    if any(m == "monitor.render.records" and n in views for m, n in _imports(p)))
    assert all(not m.startswith("monitor/store/") for m in makers), makers
