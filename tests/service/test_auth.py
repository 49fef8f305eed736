import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from lks.cli import app
from lks.service.auth import Identity, UserError, hash_token
from lks.service.persistence.tables import make_service_engine, users
from lks.service.persistence.tokens import TokenStore


@pytest.fixture
def store(tmp_path):
    return TokenStore(make_service_engine(f"sqlite:///{tmp_path / 'lks.db'}"))


def test_tokens_are_stored_only_as_hashes_and_identify_the_user(store):
    token = store.add("c1", "coordinator", ["team_zuid"])
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.token_hash)).scalar()
    assert stored == hash_token(token) and token not in stored
    assert store.identify(token) == Identity("c1", "coordinator", ("team_zuid",), None)
    assert store.identify("not-a-token") is None


def test_a_revoked_token_identifies_nobody(store):
    token = store.add("j1", "jobcoach", jobcoach_id="JC1")
    assert store.identify_user("j1") == store.identify(token) == Identity("j1", "jobcoach", (), "JC1")
    store.revoke("j1")
    assert store.identify(token) is None and store.identify_user("j1") is None
    assert store.identify_user("nobody") is None
    with pytest.raises(UserError):
        store.revoke("j1")


@pytest.mark.parametrize("name,role,teams,jobcoach_id", [
    ("x", "fraud_investigator", [], None), ("x", "coordinator", [], None), ("x", "jobcoach", [], None),
    ("x", "data_scientist", [], "JC1"), ("", "admin", [], None)])
def test_bad_users_are_refused(store, name, role, teams, jobcoach_id):
    with pytest.raises(UserError):
        store.add(name, role, teams, jobcoach_id)


def test_role_boundaries():
    coordinator = Identity("c", "coordinator", ("team_zuid",))
    coach = Identity("j", "jobcoach", jobcoach_id="JC1")
    assert coordinator.may_see("team_zuid", "JC9") and not coordinator.may_see("team_noord", "JC1")
    assert coach.may_see("team_noord", "JC1") and not coach.may_see("team_noord", "JC2")
    assert not coach.may_see("team_noord", None)
    for role in ("data_scientist", "admin"):
        assert not Identity("x", role).may_see("team_zuid", "JC1")


def test_lks_users_add_list_revoke(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_HOME", str(tmp_path))
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    try:
        runner = CliRunner()
        added = runner.invoke(app, ["users", "add", "coach9", "--role", "jobcoach", "--jobcoach-id", "JC9"])
        assert added.exit_code == 0, added.output
        token = added.stdout.strip().splitlines()[-1]
        assert TokenStore(make_service_engine(get_settings().db_url)).identify(token).jobcoach_id == "JC9"
        listed = runner.invoke(app, ["users", "list"])
        assert "coach9" in listed.output and token not in listed.output
        assert runner.invoke(app, ["users", "add", "c", "--role", "coordinator"]).exit_code == 2
        assert runner.invoke(app, ["users", "revoke", "coach9"]).exit_code == 0
        assert runner.invoke(app, ["users", "revoke", "nobody"]).exit_code == 1
    finally:
        get_settings.cache_clear()
