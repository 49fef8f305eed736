"""compose.yaml: valid against the Compose Specification's JSON schema (the copy check-jsonschema vendors, so the
check needs no network), and what the schema cannot know: the four parts are there, the job migrates before it
ingests and trains, every LKS_ variable is one lks reads, and no password is in the file or an environment
variable (secrets come from files). No container engine runs here, so `docker compose config` cannot be used."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lks.service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
CHECK = str(Path(sys.executable).with_name("check-jsonschema"))
# LKS_ variables read outside Settings: `lks serve`'s options (cli/serve.py), LightGBM's threads, the job's export
OTHER_VARIABLES = {"LKS_HOST", "LKS_PORT", "LKS_WORKERS", "LKS_PROXY_HEADERS", "LKS_FORWARDED_ALLOW_IPS",
                   "LKS_ROOT_PATH", "LKS_THREADS", "LKS_EXPORT"}


def check_schema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CHECK, "--builtin-schema", "vendor.compose-spec", str(path)],  # noqa: S603  the test's own command
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_yaml_is_valid_against_the_compose_specification():
    result = check_schema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_finds_a_mistake(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("    restart: unless-stopped\n", "    restarts: always\n", 1))
    result = check_schema(broken)
    assert result.returncode == 1 and "restarts" in result.stdout


def test_postgres_mlflow_the_service_and_the_job(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "mlflow", "lks", "pipeline"}
    assert services["lks"]["command"] == ["serve"]
    mlflow = " ".join(services["mlflow"]["command"])
    assert "mlflow server" in mlflow and "postgresql+psycopg://mlflow@postgres" in mlflow
    assert "--artifacts-destination /data/artifacts" in mlflow
    assert "mlflow-artifacts:/data" in services["mlflow"]["volumes"]
    job = " ".join(services["pipeline"]["command"])
    steps = [job.index(step) for step in ("lks db upgrade", "lks ingest", "lks train")]
    assert steps == sorted(steps)  # migrate first
    assert services["pipeline"]["restart"] == "no"


def test_every_lks_variable_is_one_lks_reads(compose):
    known = {f"LKS_{name.upper()}" for name in Settings.model_fields} | OTHER_VARIABLES
    used = {name for service in compose["services"].values() for name in service.get("environment", {})
            if name.startswith("LKS_")}
    assert used and used - known == set()


def test_passwords_come_from_secret_files_only(compose):
    declared = compose["secrets"]
    assert all(set(secret) == {"file"} and secret["file"].startswith("./secrets/") for secret in declared.values())
    for name, service in compose["services"].items():
        environment = service.get("environment", {})
        assert not [key for key in environment if "PASSWORD" in key and not key.endswith("_FILE")], name
        assert not [value for value in map(str, environment.values()) if re.search(r"://[^/@:]+:[^/@]+@", value)]
        assert set(service.get("secrets", [])) <= set(declared), name
    assert "secrets/" in (ROOT / ".gitignore").read_text().splitlines()
