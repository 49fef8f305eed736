import json
import logging
import os

import cloudpickle
import pytest
from mlflow.tracking import MlflowClient

from lks.service.champion.holder import ChampionHolder
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.training.artifacts import BUNDLE_SHA256, SCHEMA_ARTIFACT
from lks.training.tracking import CHAMPION, MODEL_NAME
from tests.service.real_champion import features_frame, new_home, register

pytestmark = pytest.mark.slow  # registers a real model in MLflow (about 45 s)


class Payload:
    """A pickle that runs code when it is loaded: here it only creates a folder."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def test_the_registered_version_records_its_bundle_checksum_and_a_schema_without_placements(base, tmp_path):
    home = new_home(base, tmp_path)
    version = register(base, home)
    client = MlflowClient()
    registered = client.get_model_version(MODEL_NAME, version)
    # the registry pickles the bundle itself and records the sha256 of exactly the bytes it logged
    expected = client.get_run(registered.run_id).data.params[BUNDLE_SHA256]
    assert registered.tags[BUNDLE_SHA256] == expected and len(expected) == 64
    logged = {a.path for a in client.list_artifacts(registered.run_id)}
    assert SCHEMA_ARTIFACT in logged and "reference" not in logged
    champion = MlflowChampionSource(home).load()
    assert [s.name for s in champion.schema] == ["tenure_weeks", *champion.features]
    import mlflow

    logged_schema = json.dumps(mlflow.artifacts.load_dict(f"runs:/{registered.run_id}/{SCHEMA_ARTIFACT}"))
    assert not any(pid in logged_schema for pid in features_frame(base)["placement_id"])


def test_a_changed_bundle_is_refused_before_it_is_unpickled_and_the_served_model_stays(base, tmp_path, caplog):
    home = new_home(base, tmp_path)
    register(base, home)
    holder = ChampionHolder(MlflowChampionSource(home))
    assert holder.refresh().version == "1"
    second = register(base, home, set_champion=False)
    marker = tmp_path / "code-ran"
    for bundle in (home / "mlartifacts").rglob("bundle.pkl"):  # someone with write access to the artifact store
        bundle.write_bytes(cloudpickle.dumps(Payload(marker)))
    MlflowClient().set_registered_model_alias(MODEL_NAME, CHAMPION, second)
    with caplog.at_level(logging.ERROR, logger="lks.service.champion.holder"):
        assert holder.refresh().version == "1" and holder.refresh().version == "1"
    assert not marker.exists()  # never unpickled
    assert holder.refused is not None and holder.refused.version == second
    lines = [r.getMessage() for r in caplog.records if r.name == "lks.service.champion.holder"]
    assert len(lines) == 1 and f"model version {second}" in lines[0] and "sha256" in lines[0]
    assert "serving version 1" in lines[0]
