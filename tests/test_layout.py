"""The repository's layout rules, checked.

* Every folder with an `__init__.py` under a mapped top-level folder is in pyproject's explicit `packages` list
  (otherwise an installed `lks` silently lacks it).
* Every `lks` module has a test module of its own, mirroring its path (`features/labels.py` ->
  `tests/features/test_labels.py`), or is listed below with where it is tested or why it has none. An
  `__init__.py` counts as a module (its mirror is `tests/<package>/test_init.py`) only when it defines a function
  or a class. Both lists are checked too: an entry that is no longer true fails, so they stay honest.
* The layer rules in `.importlinter` catch a wrong import: they are run on a tiny tree of empty modules with the
  same names, once as it is and once with `models` importing `features`.
"""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]

# Tested, but in a test module that does not mirror the module's path.
TESTED_ELSEWHERE = {
    "lks.models.base": "tests/models/test_interface.py",
    "lks.service.api.routes.model": "tests/service/api/test_model.py",
    "lks.service.api.routes.ops": "tests/service/api/test_ops.py",
    "lks.service.api.routes.placements": "tests/service/api/test_placements.py",
    "lks.service.api.routes.risk_lists": "tests/service/api/test_risk_lists.py",
    "lks.training.artifacts": "tests/service/champion/test_mlflow_source.py",
    "lks.service.persistence.curves": "tests/service/service_layer/test_scoring.py",
    "lks.cli.migrations.env": "tests/cli/test_db.py",
    "lks.cli.migrations.versions.0001_baseline": "tests/cli/test_db.py",
    "lks.cli.migrations.versions.0002_follow_ups": "tests/cli/test_db.py",
    "lks.cli.migrations.versions.0003_events_placement_index": "tests/cli/test_db.py",
    "lks.cli.migrations.versions.0004_risk_scores_rank_index": "tests/cli/test_db.py",
}

# No test module of their own (counted when this list was made: 42 modules). Most are exercised through another
# module's tests, named here; "slow" means only by tests left out of `make test-fast`.
UNTESTED = {
    # data_contracts
    "lks.data_contracts.rules": "rule ids (constants); asserted by name in tests/data_contracts/test_parse.py, "
                                "test_validate.py and test_ingest.py",
    "lks.data_contracts.schemas": "TABLES, keys and columns(); exercised through tests/data_contracts/test_validate.py "
                                  "and test_roles.py",
    "lks.data_contracts.schemas._fields": "the Field helper of the schema modules; exercised through test_validate.py",
    "lks.data_contracts.schemas.codes": "code lists (constants); exercised through test_validate.py",
    "lks.data_contracts.schemas.employers": "a pandera model; its checks are exercised through test_validate.py",
    "lks.data_contracts.schemas.endings": "a pandera model; its checks are exercised through test_validate.py",
    "lks.data_contracts.schemas.events": "a pandera model; its checks are exercised through test_validate.py",
    "lks.data_contracts.schemas.persons": "a pandera model; its checks are exercised through test_validate.py",
    "lks.data_contracts.schemas.placements": "a pandera model; its checks are exercised through test_validate.py",
    "lks.data_contracts.store": "tables and reads of the store; exercised through tests/data_contracts/test_ingest.py",
    # features
    "lks.features.employer": "one entity's features; exercised through tests/features/test_build.py",
    "lks.features.history_windows": "exercised through tests/features/test_build.py",
    "lks.features.person": "one entity's features; exercised through tests/features/test_build.py",
    "lks.features.placement": "one entity's features; exercised through tests/features/test_build.py",
    # models
    "lks.models._lgbm": "LightGBM plumbing; exercised through tests/models/test_classifier.py and test_survival.py",
    "lks.models.bundle": "the ServingBundle; exercised through tests/service/test_explanations.py (slow)",
    "lks.models.pyfunc_model": "the MLflow pyfunc; exercised only by the real champion and tests/e2e (slow)",
    # training
    "lks.training.candidates": "exercised through tests/training/test_backtest.py",
    "lks.training.report": "no test of its own; one line of the HTML is checked in tests/e2e (slow)",
    # service
    "lks.service.api.schemas": "the API's response models; checked by tests/service/api/test_schemathesis.py (slow)",
    "lks.service.app": "create_app, the composition root; exercised by the API tests (mostly slow)",
    "lks.service.champion.types": "value types; exercised through tests/service/champion/test_holder.py",
    "lks.service.persistence.tables": "table definitions; used by tests/service/test_auth.py and persistence tests",
    "lks.service.persistence.tokens": "the TokenStore; exercised through tests/service/test_auth.py",
    # simulator
    "lks.simulator": "simulate(), the whole run; checked by the tests in tests/simulator (slow)",
    "lks.simulator.end_reasons": "no test of its own; the exported endings are checked in "
                                 "tests/simulator/test_registration.py (slow)",
    # cli
    "lks.cli": "the Typer app joining the command groups; every command test invokes it",
    "lks.cli.audit": "`lks audit`; invoked in tests/service/persistence/test_audit.py",
    "lks.cli.demo": "no test: the last step of `make demo`",
    "lks.cli.users": "`lks users`; invoked in tests/service/test_auth.py",
}


def package_folders(root: Path, package_dirs: dict[str, str]) -> dict[str, Path]:
    """Dotted name -> folder of every folder with an `__init__.py` under the mapped top-level folders."""
    found = {}
    for package, folder in package_dirs.items():
        for init in sorted((root / folder).rglob("__init__.py")):
            parts = init.parent.relative_to(root / folder).parts
            found[".".join([package, *parts])] = init.parent
    return found


def own_test_modules(root: Path, package_dirs: dict[str, str]) -> dict[str, Path]:
    """Module name -> the test module of its own it should have (which may not exist)."""
    mirror = {}
    for package, folder in package_dirs.items():
        for source in sorted((root / folder).rglob("*.py")):
            parts = source.relative_to(root / folder).parts
            if source.name == "__init__.py":
                if not re.search(r"^(async def|def|class) ", source.read_text(), re.MULTILINE):
                    continue
                name, test = ".".join([package, *parts[:-1]]), "test_init.py"
            else:
                name, test = ".".join([package, *parts[:-1], source.stem]), f"test_{source.stem}.py"
            mirror[name] = root / "tests" / folder / Path(*parts[:-1]) / test
    return mirror


def test_every_package_folder_is_in_the_packages_list():
    folders = package_folders(ROOT, SETUPTOOLS["package-dir"])
    assert sorted(set(folders) - set(SETUPTOOLS["packages"])) == []
    assert sorted(set(SETUPTOOLS["packages"]) - set(folders)) == []


def test_every_module_has_a_test_module_of_its_own_or_says_why_not():
    mirror = own_test_modules(ROOT, SETUPTOOLS["package-dir"])
    unlisted = [name for name, test in mirror.items()
                if not test.exists() and name not in UNTESTED and name not in TESTED_ELSEWHERE]
    assert unlisted == [], "add a test module, or list the module in UNTESTED with a reason"


def test_the_lists_of_exceptions_are_still_true():
    mirror = own_test_modules(ROOT, SETUPTOOLS["package-dir"])
    listed = [*UNTESTED, *TESTED_ELSEWHERE]
    assert [name for name in listed if name not in mirror] == []  # gone or renamed
    assert [name for name in listed if mirror[name].exists()] == []  # has its own test module now
    assert [path for path in TESTED_ELSEWHERE.values() if not (ROOT / path).exists()] == []


def test_the_checks_find_a_missing_package_and_an_untested_module(tmp_path):
    (tmp_path / "stage" / "inner").mkdir(parents=True)
    for name in ("stage/__init__.py", "stage/inner/__init__.py", "stage/known.py", "stage/inner/new.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "tests" / "stage").mkdir(parents=True)
    (tmp_path / "tests" / "stage" / "test_known.py").write_text("")

    assert sorted(package_folders(tmp_path, {"lks.stage": "stage"})) == ["lks.stage", "lks.stage.inner"]
    mirror = own_test_modules(tmp_path, {"lks.stage": "stage"})
    assert sorted(mirror) == ["lks.stage.inner.new", "lks.stage.known"]
    assert [name for name, test in mirror.items() if not test.exists()] == ["lks.stage.inner.new"]


# --- the layer rules catch a wrong import -------------------------------------------------------------------------


def _contract_modules(config: configparser.ConfigParser) -> set[str]:
    """Every module the contracts name, layers inside a container joined to it."""
    names = set()
    for section in config.sections():
        def words(key: str, section: str = section) -> list[str]:
            return [word for word in config[section].get(key, "").split() if word != "|"]

        containers, layers = words("containers"), words("layers")
        if containers:
            names.update(f"{container}.{layer}" for container in containers for layer in layers)
        else:
            names.update(layers)
        for key in ("root_packages", "modules", "source_modules", "forbidden_modules"):
            names.update(words(key))
    return names


def _lint_imports(folder: Path, wrong_import: str | None = None) -> subprocess.CompletedProcess[str]:
    """lint-imports with this repository's contracts, on empty modules of the same names under `fakelks`."""
    config_text = re.sub(r"\blks\.", "fakelks.", (ROOT / ".importlinter").read_text())
    config = configparser.ConfigParser()
    config.read_string(config_text)
    tree = folder / "src"
    for name in _contract_modules(config):
        parts = name.split(".")
        for depth in range(2, len(parts) + 1):  # `fakelks` itself stays a namespace package, as `lks` is
            package = tree.joinpath(*parts[:depth])
            package.mkdir(parents=True, exist_ok=True)
            (package / "__init__.py").touch()
    if wrong_import:
        module, imported = wrong_import.split(" imports ")
        (tree.joinpath(*module.split(".")) / "__init__.py").write_text(f"import {imported}\n")
    for section in config.sections():  # the empty modules make no import an `ignore_imports` line could match
        if section.startswith("importlinter:contract:"):
            config[section]["unmatched_ignore_imports_alerting"] = "none"
    with open(folder / "importlinter.ini", "w") as fh:
        config.write(fh)
    return subprocess.run(  # noqa: S603  the test's own fixed command, no outside input
        [str(Path(sys.executable).with_name("lint-imports")), "importlinter.ini", "--no-cache"],
        cwd=folder, env={**os.environ, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
    )


def test_the_layer_rules_pass_on_the_same_modules_without_a_wrong_import(tmp_path):
    result = _lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("wrong_import, contract", [
    ("fakelks.models imports fakelks.features", "Stages import only earlier stages"),
    ("fakelks.data_contracts imports fakelks.service", "Stages import only earlier stages"),
    ("fakelks.training imports fakelks.cli", "No stage imports the simulator or the command line"),
    ("fakelks.simulator imports fakelks.models", "The simulator is a client of the contract only"),
    ("fakelks.service.api imports fakelks.service.pages", "The API and the pages do not import each other"),
    ("fakelks.service.persistence imports fakelks.service.service_layer", "Inside the service"),
])
def test_the_layer_rules_fail_on_a_wrong_import(tmp_path, wrong_import, contract):
    result = _lint_imports(tmp_path, wrong_import)
    assert result.returncode == 1, result.stdout + result.stderr
    after_name = result.stdout[result.stdout.index(contract):]  # a long name may wrap before its status
    assert re.search(r"\b(KEPT|BROKEN)\b", after_name).group(1) == "BROKEN", result.stdout
