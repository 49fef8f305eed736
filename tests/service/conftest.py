"""Session fixtures for the service: a real store, a real registered champion, users with tokens."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cloudpickle
import pytest

from lks.service.champion.holder import ChampionHolder
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.service.persistence.tables import make_service_engine
from lks.service.persistence.tokens import TokenStore
from lks.service.service_layer.scoring import score_week
from lks.service.settings import Settings
from tests.service.real_champion import AS_OF, PREVIOUS, build_base, locked, new_home, register, shared_root


@dataclass
class Setup:
    base: Path
    home: Path
    settings: Settings
    tokens: dict
    placements: dict  # role -> a placement it may see, and one it may not


@pytest.fixture(scope="session")
def base(tmp_path_factory) -> Path:
    root = shared_root(tmp_path_factory)
    with locked(root / "service-base.lock"):
        return build_base(root / "service-base")


@pytest.fixture(scope="session")
def bundle(base):
    return cloudpickle.loads((base / "bundle.pkl").read_bytes())


@pytest.fixture(scope="session")
def setup(base, tmp_path_factory) -> Setup:
    """A worker's own home: the ingested store, the bundle registered as champion, both weeks scored."""
    home = new_home(base, tmp_path_factory.mktemp("svc"))
    env = pytest.MonkeyPatch()
    env.setenv("LKS_HOME", str(home))
    env.delenv("LKS_DATABASE_URL", raising=False)
    env.delenv("MLFLOW_TRACKING_URI", raising=False)
    register(base, home)
    # many tests send a wrong token on purpose from the one test address: no lock-out (tests/service/test_deps.py)
    settings = Settings(home=home, model_refresh_seconds=3600, auth_failures_max=100_000)
    engine = make_service_engine(settings.db_url)
    champion = ChampionHolder(MlflowChampionSource(home)).refresh()
    score_week(engine, champion, PREVIOUS)
    score_week(engine, champion, AS_OF)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT placement_id, team, jobcoach_id FROM risk_scores JOIN risk_lists USING (list_id) "
            "WHERE as_of = ? AND jobcoach_id IS NOT NULL ORDER BY rank", (AS_OF.isoformat(),)).all()
    mine = rows[0]
    other = next(r for r in rows if r.team != mine.team and r.jobcoach_id != mine.jobcoach_id)
    store = TokenStore(engine)
    tokens = {
        "coordinator": store.add("coord-a", "coordinator", [mine.team]),
        "jobcoach": store.add("coach-a", "jobcoach", jobcoach_id=mine.jobcoach_id),
        "data_scientist": store.add("ds-a", "data_scientist"),
        "admin": store.add("admin-a", "admin"),
    }
    yield Setup(base, home, settings, tokens, {"mine": mine.placement_id, "other": other.placement_id,
                                                "team": mine.team, "other_team": other.team})
    env.undo()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def client(setup):
    from fastapi.testclient import TestClient

    from lks.service.app import create_app

    with TestClient(create_app(setup.settings), raise_server_exceptions=False) as test_client:
        yield test_client
