import json

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from lks.training import governance
from lks.training.tracking import CHALLENGER, CHAMPION, MODEL_NAME, configure
from tests.training.test_documents import inputs


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """An embedded registry with two versions: v1 champion, forced past a gate; v2 a fresh challenger."""
    monkeypatch.setenv("LKS_MLFLOW_SERVER", "")
    configure(tmp_path / "home")
    client = MlflowClient()
    client.create_registered_model(MODEL_NAME)
    runs = []
    for _ in range(2):
        with mlflow.start_run() as run:
            runs.append(run.info.run_id)
        client.create_model_version(MODEL_NAME, f"runs:/{run.info.run_id}/model", run.info.run_id)
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, "1")
    client.set_registered_model_alias(MODEL_NAME, CHALLENGER, "2")
    for key, value in {"forced": "True", "reason": "besluit van de wethouder, 3 juni", "promoted_by": "ds",
                       "promoted_at": "2026-06-03T10:00:00", "failed_gates": '["recall ratio gender 0.61"]'}.items():
        client.set_model_version_tag(MODEL_NAME, "1", f"promotion.{key}", value)
    return client, runs


def artifact(run_id: str, name: str) -> str:
    return mlflow.artifacts.load_text(f"runs:/{run_id}/{name}")


def test_a_registered_version_gets_its_documents_with_the_forced_promotions(registry):
    client, runs = registry
    governance.document_version({"run_id": runs[1], "version": "2", "alias": CHALLENGER},
                                inputs(promotions=[]), client)
    card = artifact(runs[1], "model_card.md")
    assert card.startswith("# Model card: lks-uitval version 2") and "registry alias `challenger`" in card
    assert "besluit van de wethouder, 3 juni" in card and "recall ratio gender 0.61" in card
    assert "besluit van de wethouder, 3 juni" in artifact(runs[1], "technical_file.md")
    entry = json.loads(artifact(runs[1], "algoritmeregister.json"))
    assert entry["entry"]["status"] == "In ontwikkeling" and entry["model_version"] == "2"
    assert artifact(runs[1], "algoritmeregister.md").startswith("# Algoritmeregister:")


def test_after_a_promotion_the_documents_say_the_version_is_in_use(registry):
    client, runs = registry
    governance.document_version({"run_id": runs[1], "version": "2", "alias": CHALLENGER}, inputs(), client)
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, "2")
    assert governance.refresh("2", client)
    assert json.loads(artifact(runs[1], "algoritmeregister.json"))["entry"]["status"] == "In gebruik"
    assert "registry alias `champion`" in artifact(runs[1], "model_card.md")
    assert not governance.refresh("1", client)  # v1 has no documents: nothing to render again


def test_fairness_tables_come_in_as_one_frame_or_titled_frames():
    frame = pd.DataFrame({"group": ["V"], "recall": [0.3]})
    assert list(governance._tables(frame)) == ["Fairness audit by group"]
    assert list(governance._tables({"Recall": frame, "Calibration": [{"group": "V"}]})) == ["Recall", "Calibration"]
    assert governance._tables(pd.DataFrame()) == {}
