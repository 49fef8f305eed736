import mlflow

from lks.training.tracking import configure


def test_each_home_gets_its_own_embedded_store(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_MLFLOW_SERVER", "")
    first = configure(tmp_path / "a")
    second = configure(tmp_path / "b")
    assert first != second and str(tmp_path / "b" / "mlflow.db") in second
    assert mlflow.get_experiment_by_name("lks-uitval").artifact_location.startswith((tmp_path / "b").as_uri())
