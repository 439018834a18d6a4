"""Files the package ships besides code: migrations and templates.

Installed from a wheel they live inside the package (``monitor/_migrations``,
``monitor/_templates``, mapped there at build time); in a source checkout or an
editable install they are read from the repository's ``migrations/`` and
``templates/`` folders.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parents[1]


def resource_dir(name: str) -> Path:
    """The folder of shipped files called ``name`` ("migrations" or "templates")."""
    packaged = resources.files("monitor") / f"_{name}"
    if packaged.is_dir():
        return Path(str(packaged))
    return _SOURCE_ROOT / name


def migrations_dir() -> Path:
    return resource_dir("migrations")


def templates_dir() -> Path:
    return resource_dir("templates")
