"""Build step that pyproject.toml cannot express: ship migrations/ and templates/ inside the package.

In a wheel they become ``monitor/_migrations`` and ``monitor/_templates``, found with
``importlib.resources`` (see ``monitor/resources.py``); a source checkout reads the folders in place.
"""

from setuptools import find_packages, setup

SHIPPED = {
    "monitor._migrations": "migrations",
    "monitor._migrations.versions": "migrations/versions",
    "monitor._templates": "templates",
}

setup(packages=[*find_packages(include=["monitor", "monitor.*"]), *SHIPPED], package_dir=SHIPPED)
