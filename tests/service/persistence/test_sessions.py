from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from lks.service.auth import hash_token
from lks.service.persistence.audit import AuditLog
from lks.service.persistence.sessions import PageSessions, SessionRefused
from lks.service.persistence.tables import make_service_engine, page_sessions, users
from lks.service.persistence.tokens import TokenStore

T0 = datetime(2026, 11, 23, 9, 0)  # a Monday morning, UTC
LOGIN, PAGE, LOGOUT = "POST /login", "GET /lijst", "POST /logout"


@pytest.fixture
def engine(tmp_path):
    return make_service_engine(f"sqlite:///{tmp_path / 'lks.db'}")


@pytest.fixture
def tokens(engine):
    return TokenStore(engine)


@pytest.fixture
def sessions(engine, tokens):
    return PageSessions(engine, tokens, AuditLog(engine), lifetime=timedelta(hours=8), idle=timedelta(minutes=30))


def rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(page_sessions)).all()


def outcomes(engine, user: str) -> list[tuple]:
    log = AuditLog(engine).query(user=user)
    return list(zip(log["endpoint"], log["outcome"], log["role"], log["placement_id"], strict=True))[::-1]


def refused(sessions, session_id, at) -> SessionRefused:
    with pytest.raises(SessionRefused) as caught:
        sessions.identity(session_id, at, PAGE)
    return caught.value


def test_a_login_gives_a_new_random_id_stored_only_as_its_hash(sessions, tokens, engine):
    token = tokens.add("jan", "jobcoach", jobcoach_id="JC010")
    first, second = sessions.login(token, T0, LOGIN), sessions.login(token, T0, LOGIN)
    assert first != second and token not in (first, second) and len(first) >= 43
    stored = {r.session_hash: r for r in rows(engine)}
    assert set(stored) == {hash_token(first), hash_token(second)}
    row = stored[hash_token(first)]
    assert (row.user, row.created_at, row.last_seen_at, row.expires_at, row.ended_at) == (
        "jan", T0, T0, T0 + timedelta(hours=8), None)
    assert sessions.identity(first, T0, PAGE).jobcoach_id == "JC010"
    assert outcomes(engine, "jan") == [(LOGIN, "logged_in", "jobcoach", None)] * 2


def test_a_wrong_or_empty_token_starts_no_session(sessions, tokens, engine):
    tokens.add("jan", "jobcoach", jobcoach_id="JC010")
    assert sessions.login("geen-code", T0, LOGIN) is None and sessions.login("", T0, LOGIN) is None
    assert rows(engine) == [] and AuditLog(engine).query().empty
    assert refused(sessions, "geen-sessie", T0).expired is False


def test_the_session_ends_after_thirty_idle_minutes(sessions, tokens, engine):
    session_id = sessions.login(tokens.add("jan", "jobcoach", jobcoach_id="JC010"), T0, LOGIN)
    sessions.identity(session_id, T0 + timedelta(minutes=20), PAGE)  # seen at 09:20
    sessions.identity(session_id, T0 + timedelta(minutes=49, seconds=59), PAGE)  # idle 29:59: still on
    assert refused(sessions, session_id, T0 + timedelta(minutes=79, seconds=59)).expired  # idle since 09:49:59
    assert outcomes(engine, "jan")[-1] == (PAGE, "session_expired", "jobcoach", None)


def test_requests_keep_it_alive_for_a_working_day_and_no_longer(sessions, tokens, engine):
    session_id = sessions.login(tokens.add("anna", "coordinator", ["team_zuid"]), T0, LOGIN)
    for minutes in range(20, 8 * 60, 20):
        assert sessions.identity(session_id, T0 + timedelta(minutes=minutes), PAGE).name == "anna"
    assert sessions.identity(session_id, T0 + timedelta(hours=8, seconds=-1), PAGE).name == "anna"
    assert refused(sessions, session_id, T0 + timedelta(hours=8)).expired
    assert outcomes(engine, "anna")[-1] == (PAGE, "session_expired", "coordinator", None)


def test_last_seen_is_written_at_most_once_a_minute(sessions, tokens, engine):
    session_id = sessions.login(tokens.add("jan", "jobcoach", jobcoach_id="JC010"), T0, LOGIN)
    for seconds in (10, 30, 59):
        sessions.identity(session_id, T0 + timedelta(seconds=seconds), PAGE)
    assert rows(engine)[0].last_seen_at == T0
    sessions.identity(session_id, T0 + timedelta(seconds=60), PAGE)
    assert rows(engine)[0].last_seen_at == T0 + timedelta(seconds=60)


def test_logout_ends_the_session_for_good(sessions, tokens, engine):
    token = tokens.add("jan", "jobcoach", jobcoach_id="JC010")
    session_id, other = sessions.login(token, T0, LOGIN), sessions.login(token, T0, LOGIN)
    sessions.logout(session_id, T0 + timedelta(minutes=5), LOGOUT)
    sessions.logout(session_id, T0 + timedelta(minutes=6), LOGOUT)  # once ended, nothing more to record
    assert refused(sessions, session_id, T0 + timedelta(minutes=7)).expired is False
    assert sessions.identity(other, T0 + timedelta(minutes=7), PAGE).name == "jan"  # another browser stays in
    assert [o[:2] for o in outcomes(engine, "jan")] == [
        (LOGIN, "logged_in"), (LOGIN, "logged_in"), (LOGOUT, "logged_out"), (PAGE, "session_ended")]


def test_revoking_the_token_ends_its_sessions_at_once(sessions, tokens, engine):
    session_id = sessions.login(tokens.add("jan", "jobcoach", jobcoach_id="JC010"), T0, LOGIN)
    kept = sessions.login(tokens.add("piet", "jobcoach", jobcoach_id="JC011"), T0, LOGIN)
    sessions.identity(session_id, T0 + timedelta(minutes=1), PAGE)
    tokens.revoke("jan")
    assert refused(sessions, session_id, T0 + timedelta(minutes=2)).expired is False
    assert {r.user: r.ended_at for r in rows(engine)} == {"jan": T0 + timedelta(minutes=2), "piet": None}
    assert sessions.identity(kept, T0 + timedelta(minutes=2), PAGE).name == "piet"


def test_the_role_and_teams_are_asked_for_on_every_request(sessions, tokens, engine):
    session_id = sessions.login(tokens.add("anna", "coordinator", ["team_zuid"]), T0, LOGIN)
    assert sessions.identity(session_id, T0, PAGE).teams == ("team_zuid",)
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.name == "anna").values(teams=["team_west"]))
    assert sessions.identity(session_id, T0 + timedelta(seconds=1), PAGE).teams == ("team_west",)


def test_sessions_expired_for_a_day_are_deleted_at_the_next_login(sessions, tokens, engine):
    token = tokens.add("jan", "jobcoach", jobcoach_id="JC010")
    old = sessions.login(token, T0, LOGIN)
    sessions.login(token, T0 + timedelta(hours=8 + 23), LOGIN)
    assert len(rows(engine)) == 2  # expired 23 hours ago: still says "expired" to its cookie
    assert refused(sessions, old, T0 + timedelta(hours=8 + 23)).expired
    sessions.login(token, T0 + timedelta(hours=8 + 24, seconds=1), LOGIN)
    assert hash_token(old) not in {r.session_hash for r in rows(engine)} and len(rows(engine)) == 2
