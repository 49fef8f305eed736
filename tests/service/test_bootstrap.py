from datetime import timedelta

from lks.service.bootstrap import bootstrap
from lks.service.settings import Settings
from tests.service.fakes import FixedSource


def test_the_session_settings_reach_the_pages_sessions(tmp_path):
    services = bootstrap(Settings(home=tmp_path, session_hours=10, session_idle_minutes=15), FixedSource(None))
    assert (services.sessions.lifetime, services.sessions.idle) == (timedelta(hours=10), timedelta(minutes=15))
    assert services.sessions.identities is services.identities and services.sessions.audit is services.audit
