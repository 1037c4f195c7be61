"""Docs that match the code: generated tables are current, cited tests exist, the README
stays short, and the packaging lists every package."""

from __future__ import annotations

import re
import tomllib

from claimwire.streams.config import settings_markdown
from claimwire.streams.topics import topics_markdown
from tests.conftest import ROOT


def test_settings_doc_is_generated_from_the_settings() -> None:
    assert (ROOT / "docs/settings.md").read_text() == settings_markdown(), \
        "regenerate: python -m claimwire.streams.config > docs/settings.md"


def test_architecture_topic_table_is_the_registry() -> None:
    assert topics_markdown() in (ROOT / "docs/architecture.md").read_text()


def test_every_test_the_docs_cite_exists() -> None:
    cited = set()
    for doc in ("docs/architecture.md", "docs/operations.md", "README.md"):
        cited |= set(re.findall(r"(tests/\w+\.py)::(\w+)", (ROOT / doc).read_text()))
    assert cited
    for path, name in cited:
        assert re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.M), \
            f"{path}::{name} is cited but does not exist"


def test_readme_fits_on_two_screens() -> None:
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


def test_every_code_package_is_packaged() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packaged = set(config["packages"])
    for folder, namespace in config["package-dir"].items():
        for init in (ROOT / namespace).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / namespace)
            name = ".".join([folder, *rel.parts])
            assert name in packaged, f"{name} is missing from [tool.setuptools] packages"
