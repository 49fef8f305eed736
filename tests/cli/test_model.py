"""`lks train` in worlds where the champion rule matters: no candidate beats the baselines (a baseline is
registered and served, with the reason), nothing beats today's practice (nothing is registered), and a
strategy that leaves no training rows (a plain message, no traceback)."""

from functools import partial

import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from lks.cli import app
from lks.models.baselines import TenureBaseline
from lks.models.bundle import additivity_gap
from lks.training import train as training
from lks.training.backtest import run_backtest
from lks.training.candidates import CANDIDATES_BY_NAME, Candidate
from lks.training.champion import choose_champion
from lks.training.tracking import MODEL_NAME

# A world in which no candidate can beat the baselines: its only candidate is a copy of the tenure-rate
# baseline, and a tie is not a win.
COPYCAT = Candidate("copycat", "person_period", TenureBaseline, True)
WORLD = [COPYCAT, *(CANDIDATES_BY_NAME[n] for n in ("tenure_rate", "logistic", "current_practice"))]
pytestmark = pytest.mark.slow  # simulates a municipality and trains end to end

TRAIN = ["train", "--as-of", "2026-11-22", "--since", "2024-06-03", "--test-dates", "3", "--validation-dates", "4"]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("lks")
    env = pytest.MonkeyPatch()
    env.setenv("LKS_HOME", str(root / "home"))
    env.delenv("LKS_DATABASE_URL", raising=False)
    env.delenv("MLFLOW_TRACKING_URI", raising=False)
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["simulate", "--out", str(root / "export"), "--seed", "5"]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(root / "export")]).exit_code == 0
    yield root
    env.undo()
    get_settings.cache_clear()


def in_world(monkeypatch, candidates):
    monkeypatch.setattr(training, "run_backtest", partial(run_backtest, candidates=candidates))
    monkeypatch.setattr(training, "choose_champion", partial(choose_champion, candidates=candidates))
    monkeypatch.setattr(training, "CANDIDATES", candidates)


def versions() -> list:
    return MlflowClient().search_model_versions(f"name='{MODEL_NAME}'")


def test_a_strategy_that_leaves_no_training_rows_stops_with_a_plain_message(home):
    result = CliRunner().invoke(app, ["train", "--as-of", "2025-09-01", "--unknown-reasons", "structured_only",
                                      "--since", "2023-06-05"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    text = " ".join(result.output.split())
    assert "Not trained: no training rows on" in text and "'structured_only'" in text
    assert "0 landmark rows" in text and "structured-registration era" in text and "Traceback" not in text


def test_when_nothing_beats_todays_practice_lks_train_registers_nothing_and_says_why(home, monkeypatch):
    in_world(monkeypatch, [COPYCAT, CANDIDATES_BY_NAME["tenure_rate"], CANDIDATES_BY_NAME["current_practice"]])
    result = CliRunner().invoke(app, TRAIN)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    text = " ".join(result.output.split())
    assert "No model registered: no candidate beats every baseline (copycat:" in text
    assert "no baseline that can be served beats today's practice" in text
    from lks.training.tracking import configure

    configure(home / "home")
    assert versions() == []


def test_when_no_candidate_beats_the_baselines_the_logistic_regression_is_registered_served_and_explained(
        home, monkeypatch):
    in_world(monkeypatch, WORLD)
    result = CliRunner().invoke(app, TRAIN)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "No candidate beat every baseline: the baseline logistic is registered instead." in text
    assert "champion rule: no candidate beats every baseline in the validation weeks (copycat: " in text
    assert "not above tenure_rate" in text and "with alias champion" in text
    assert "champion chosen on the validation weeks" in text and "onbekend" in text

    evaluated = " ".join(CliRunner().invoke(app, ["evaluate"]).output.split())
    assert "(logistic) is a baseline, registered because no candidate beat every baseline" in evaluated

    from lks.service.champion.mlflow_source import MlflowChampionSource
    from lks.service.pages.render import render
    from lks.service.service_layer import services as views

    champion = MlflowChampionSource(home / "home").load()
    assert champion.info["model"] == "logistic"
    assert champion.info["backtest"]["champion_rule"]["kind"] == "baseline"
    from datetime import date

    from lks.data_contracts.store import history, make_engine
    from lks.features.build import build_features
    from lks.service.settings import get_settings

    day = date(2026, 11, 22)  # MLflow holds no placement rows: the features come from the store
    features = build_features(history(make_engine(get_settings().db_url), day), day)
    features = features[features["tenure_weeks"] < 52].reset_index(drop=True)
    risks = champion.risks(features.head(5))
    assert risks["risk_52w"].between(0, 1).all() and additivity_gap(risks) < 1e-8   # exact explanations
    assert len(champion.curves(features.head(2))) == 0                              # no curve of its own
    assert views._curve(champion, features.head(1).iloc[0].to_dict()) is None       # the page shows none
    card = render("modelkaart.html", identity=None, csrf="", model=views.model_info(champion))
    assert "Daarom is een vergelijkingsmodel in gebruik genomen: de logistische regressie" in card
