from __future__ import annotations

import uvicorn
from typer.testing import CliRunner
from uvicorn.importer import import_from_string

from lks.cli import app
from lks.cli import serve as serve_module
from lks.service.settings import get_settings


def test_serve_passes_uvicorns_proxy_options_and_workers(monkeypatch, tmp_path):
    monkeypatch.setenv("LKS_HOME", str(tmp_path))
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kwargs: calls.append((target, kwargs)))
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--workers", "3", "--proxy-headers",  # noqa: S104  a test value, nothing is bound
                                      "--forwarded-allow-ips", "10.0.0.5"])
    assert result.exit_code == 0, result.output
    target, kwargs = calls[0]
    assert callable(import_from_string(target)) and kwargs["factory"] is True  # each worker builds its app
    assert (kwargs["workers"], kwargs["proxy_headers"], kwargs["forwarded_allow_ips"]) == (3, True, "10.0.0.5")
    assert kwargs["host"] == "0.0.0.0" and kwargs["access_log"] is False  # noqa: S104  a test value, nothing is bound
    assert kwargs["log_config"]["formatters"]["lks"]["log_format"] == "text"  # LKS_LOG_FORMAT, in every worker
    assert (tmp_path / "lks.db").exists()  # created at the head revision once, before the workers start
    get_settings.cache_clear()


def test_serve_defaults_trust_no_proxy():
    kwargs = serve_module.options("127.0.0.1", 8000, 1, False, None, False)
    assert kwargs["proxy_headers"] is False and kwargs["workers"] == 1
