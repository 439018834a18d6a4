"""A real package: the wheel carries its migrations, templates and data, and works outside the source tree.

The wheel is built from a copy of the sources and installed into a new virtual environment without
network: its dependencies are borrowed from the environment running the tests (a path line, so that
environment's own editable install of the monitor does not come along).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "monitor", "migrations", "templates")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("MONITOR_")}
    done = subprocess.run(args, cwd=cwd, env={**clean, **env}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("package")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, src / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(work / "dist"), "."], src)
    (found,) = (work / "dist").glob("tech_policy_monitor-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    env_dir = wheel.parent.parent / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], wheel.parent)
    python = env_dir / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env_dir)
    Path(site.stdout.strip(), "_borrowed_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
         str(wheel)], env_dir)
    return env_dir


def test_the_wheel_carries_migrations_templates_data_and_license(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for migration in (ROOT / "migrations" / "versions").glob("*.py"):
        assert f"monitor/_migrations/versions/{migration.name}" in names
    assert {"monitor/_migrations/env.py", "monitor/_migrations/script.py.mako"} <= names
    for template in (ROOT / "templates").iterdir():
        assert f"monitor/_templates/{template.name}" in names
    assert any(n.startswith("monitor/demo/data/") for n in names)
    assert {"monitor/entities/data/countries.yaml", "monitor/entities/data/default.yaml"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(zipfile.Path(wheel, n).read_text() for n in names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: Apache-2.0" in metadata and "Classifier: Programming Language :: Python :: 3.11" in metadata


def test_the_installed_package_migrates_a_database_from_another_directory(venv, tmp_path):
    monitor = str(venv / "bin" / "monitor")
    assert run([monitor, "--version"], tmp_path).stdout.strip() == "monitor, version 0.1.0"
    where = run([str(venv / "bin" / "python"), "-c",
                 "import monitor, monitor.resources as r; print(monitor.__file__); print(r.migrations_dir())"], tmp_path)
    package_file, migrations = where.stdout.split()
    assert package_file.startswith(str(venv)) and migrations.startswith(str(venv))
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: A\n    url: http://127.0.0.1:9/feed.xml\n", encoding="utf-8")
    assert "database upgraded" in run([monitor, "db", "upgrade"], tmp_path).stdout
    assert (tmp_path / "data" / "monitor.db").exists()


@pytest.mark.slow
def test_monitor_demo_runs_from_the_wheel_in_another_directory(venv, tmp_path):
    python = str(venv / "bin" / "python")
    templates = run([python, "-c", "from monitor.render.env import TEMPLATES; print(TEMPLATES.is_dir())"], tmp_path)
    assert templates.stdout.strip() == "True"  # the installed package's own templates, not a source tree
    out = tmp_path / "demo-out"
    done = run([str(venv / "bin" / "monitor"), "demo", "--out", str(out)], tmp_path)
    assert (out / "site" / "index.html").exists(), done.stdout
