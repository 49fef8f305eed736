"""The static security check (ruff's flake8-bandit `S` rules) is on, and every exception says why."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["data_contracts", "features", "models", "training", "service", "simulator", "cli", "bench", "tests"]


def test_ruff_runs_the_security_rules_on_the_source():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    ignored = {rule for rules in lint.get("per-file-ignores", {}).values() for rule in rules}
    assert not {r for r in lint.get("ignore", []) if r.startswith("S")}
    assert ignored <= {"S101"} and set(lint["per-file-ignores"]) == {"tests/**"}


def test_every_security_exception_is_justified_in_place():
    bare = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), start=1):
                found = re.search(r"#\s*noqa:\s*(S\d+(?:\s*,\s*\w+)*)(.*)$", line)
                if found and len(found.group(2).strip()) < 5:
                    bare.append(f"{path.relative_to(ROOT)}:{n}")
    assert bare == []
