"""`lks train`: backtest, fit on everything known, report, log to MLflow, register.

The registered model sees only what was known on `as_of` (labels included); its backtest scores
weeks it never saw. The first registered version becomes `champion`, later ones `challenger`:
only `lks promote` (through its gates) changes the champion.

With a `dpia_reference` (the deployment's LKS_DPIA_REFERENCE, passed by `lks train`) the special
features are built, backtested and fitted like any other; the run, the model version and the
bundle's metadata record the reference and the special columns read, so the service can refuse
the model where that DPIA does not apply.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import cloudpickle
import mlflow
import pandas as pd
import sqlalchemy as sa
from mlflow.models import ModelSignature
from mlflow.tracking import MlflowClient
from mlflow.types.schema import ParamSchema, ParamSpec

import lks.models.pyfunc_model
from lks.data_contracts import CONTRACT_VERSION
from lks.data_contracts.reasons import load_mapping
from lks.data_contracts.roles import all_roles, check_dpia_reference
from lks.data_contracts.store import batches, history
from lks.data_contracts.timeline import latest_versions
from lks.features.catalog import BY_NAME, special_columns
from lks.features.frames import mondays, weekly_features
from lks.features.known import prepare
from lks.models.bundle import ServingBundle, contributions_of
from lks.training import fairness, report
from lks.training import promote as promotion
from lks.training.backtest import (
    BacktestConfig,
    choose_champion,
    eligible_champions,
    final_frames,
    fit_candidate,
    model_features,
    run_backtest,
)
from lks.training.candidates import CANDIDATES, CANDIDATES_BY_NAME, survival
from lks.training.tracking import CHAMPION, MODEL_NAME, alias_version

HISTORY_START = "2019-01-07"  # the first Monday with enough placements to learn from
REFERENCE_ROWS = 200  # rows scored at training time and logged, to check the registered model against


@dataclass(frozen=True)
class TrainConfig(BacktestConfig):
    truth: Path | None = None     # a simulator truth/ folder: adds the oracle and the true reasons
    since: str = HISTORY_START    # the first weekly as-of date to learn from
    dpia_reference: str | None = None  # names the DPIA allowing special columns; None: they stay out

    def __post_init__(self):
        super().__post_init__()
        if check_dpia_reference(self.dpia_reference) != self.dpia_reference:
            raise ValueError(f"dpia_reference must be stripped, but was {self.dpia_reference!r}")


def train(engine: sa.Engine, config: TrainConfig, progress=lambda message: None) -> dict:
    progress("reading the store")
    hist = history(engine, config.as_of)
    known = prepare(hist)
    progress("building weekly features")
    weekly = weekly_features(known, mondays(config.since, config.as_of), dpia_reference=config.dpia_reference)
    oracle = pd.read_parquet(config.truth / "risk.parquet") if config.truth else None
    result = run_backtest(known, weekly, config, oracle=oracle, progress=progress)
    chosen = choose_champion(result)
    progress(f"fitting {chosen} on everything known on {config.as_of}")
    features = model_features(weekly)
    frames = final_frames(known, weekly, config.as_of, config.unknown_reasons)
    fitted: dict = {}
    model = fit_candidate(CANDIDATES_BY_NAME[chosen], frames, features, fitted)
    curve_model = fitted.get("survival") or survival().fit(frames[1], features)
    progress("fairness audit and unknown-reason strategies")
    persons = latest_versions(hist["persons"], "persons")
    audit = fairness.audit(result.predictions, _audit_columns(hist, persons), chosen, config.k)
    strategies = _strategy_errors(known, weekly, config, oracle is not None)
    bundle = ServingBundle(model, model, curve_model, features, metadata={
        "model": chosen, "train_as_of": str(config.as_of), "unknown_reasons": config.unknown_reasons,
        "reason_mapping_version": load_mapping().version, "contract_version": CONTRACT_VERSION,
        **special_use(config, features),
    })
    progress("explaining the reference rows")
    latest = weekly[weekly["as_of"] == weekly["as_of"].max()].head(REFERENCE_ROWS)
    reference = (latest.reset_index(drop=True), bundle.risks(latest.reset_index(drop=True)))
    shap_summary = contributions_of(reference[1]).abs().mean().rename("mean_abs_contribution")
    shap_summary = shap_summary.rename_axis("feature").reset_index()
    return _log(engine, config, result, chosen, bundle, audit, strategies, shap_summary, frames[1], reference,
                progress)


def special_use(config: TrainConfig, features: list[str]) -> dict:
    """What the bundle records about special-category data: the DPIA reference trained under and the
    special contract columns its inputs read (the service decides from these, not from the config)."""
    return {"dpia_reference": config.dpia_reference, "special_columns": special_columns(features)}


def _audit_columns(hist, persons: pd.DataFrame) -> pd.DataFrame:
    placements = latest_versions(hist["placements"], "placements")[["placement_id", "person_id"]]
    cols = ["person_id", "birth_year", "gender", "migration_background", "dutch_language_level", "district"]
    return placements.merge(persons[cols], on="person_id").drop(columns="person_id")


def _strategy_errors(known, weekly, config: TrainConfig, have_truth: bool) -> pd.DataFrame:
    """How each unknown-reason strategy labels the legacy `onbekend` endings, against the truth."""
    if not have_truth:
        return pd.DataFrame()
    from lks.training.strategies import compare_strategies

    return compare_strategies(known, weekly, config.as_of, config.truth)


def _data_seen(engine: sa.Engine, as_of: date) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(batches.c.batch_id, batches.c.finished_at, batches.c.export_checksum,
                                      batches.c.source)).mappings().all()
    return {"as_of": str(as_of),
            "ingest_batches": [{**r, "finished_at": str(r["finished_at"])} for r in rows]}


def _log(engine, config, result, chosen, bundle, audit, strategies, shap_summary, person_period, reference,
         progress) -> dict:
    progress("logging to MLflow")
    contenders = [c.name for c in CANDIDATES if c.champion_candidate]
    baselines = {n: m for n, m in result.pooled.items() if n not in (*contenders, "oracle")}
    summary = {
        "model": chosen,
        "champion": result.pooled[chosen],
        "candidates": {n: result.pooled[n] for n in contenders},
        "eligible_champions": eligible_champions(result),
        "baselines": baselines,
        "oracle": result.pooled.get("oracle"),
        "test_dates": [str(d.date()) for d in result.test_dates],
        "notes": result.notes,
        # --- fairness audit and gates (training.fairness, training.promote) ---
        **fairness.summary_fields(audit, result.predictions),
        "special_columns": bundle.metadata.get("special_columns") or [], "dpia_reference": config.dpia_reference,
    }
    summary["gates"] = [asdict(g) for g in promotion.absolute_gates(summary, config.dpia_reference)]
    # --- end fairness ---
    from lks.models.baselines import TenureBaseline

    incidence = TenureBaseline().fit(person_period).cumulative_incidence(0)
    html = report.render(report.ReportInputs(
        title=f"lks-uitval: training as of {config.as_of}",
        summary={"trained at": f"{datetime.now():%Y-%m-%d %H:%M}", "data known on": str(config.as_of),
                 "model": chosen, "unknown reasons": config.unknown_reasons, "k": str(config.k),
                 "special columns": _special_summary(bundle.metadata),
                 "test dates": f"{summary['test_dates'][0]} .. {summary['test_dates'][-1]}"},
        pooled=result.pooled, per_date=result.per_date, reliability=result.reliability, incidence=incidence,
        shap_summary=shap_summary, strategies=strategies, fairness=audit, notes=result.notes,
    ))
    with mlflow.start_run(run_name=f"train as of {config.as_of}") as run, tempfile.TemporaryDirectory() as tmp:
        mlflow.log_params({**{k: str(v) for k, v in asdict(config).items()}, "model": chosen,
                           "reason_mapping_version": load_mapping().version})
        if config.dpia_reference:
            mlflow.set_tag("dpia_reference", config.dpia_reference)
        mlflow.log_metrics({f"{name}.{metric}": value for name, metrics in result.pooled.items()
                            for metric, value in metrics.items() if pd.notna(value)})
        mlflow.log_dict(summary, "backtest.json")
        mlflow.log_dict({**_data_seen(engine, config.as_of), "since": config.since}, "data.json")
        mlflow.log_dict(_feature_list(bundle.features), "features.json")
        mlflow.log_text(html, "report.html")
        mlflow.log_text(audit.to_csv(index=False), "fairness.csv")
        for name, frame in result.per_date.items():
            mlflow.log_text(frame.to_csv(index=False), f"per_date/{name}.csv")
        for name, frame in zip(("features", "risks"), reference, strict=True):
            frame.to_parquet(Path(tmp) / f"{name}.parquet")
            mlflow.log_artifact(str(Path(tmp) / f"{name}.parquet"), "reference")
        path = Path(tmp) / "bundle.pkl"
        path.write_bytes(cloudpickle.dumps(bundle))
        signature = ModelSignature(inputs=None, outputs=None,
                                   params=ParamSchema([ParamSpec("output", "string", "risks")]))
        info = mlflow.pyfunc.log_model(name="model", python_model=lks.models.pyfunc_model.__file__,
                                       artifacts={"bundle": str(path)}, signature=signature,
                                       registered_model_name=MODEL_NAME)
    client = MlflowClient()
    version = info.registered_model_version
    alias = promotion.first_alias(summary, champion_exists=alias_version(CHAMPION, client) is not None)  # gates
    client.set_registered_model_alias(MODEL_NAME, alias, version)
    client.set_model_version_tag(MODEL_NAME, version, "run_id", run.info.run_id)
    if config.dpia_reference:  # visible in the registry beside the version, before anyone promotes it
        client.set_model_version_tag(MODEL_NAME, version, "dpia_reference", config.dpia_reference)
    return {"run_id": run.info.run_id, "version": version, "alias": alias, "summary": summary, "report": html}


def _special_summary(metadata: dict) -> str:
    text = ", ".join(metadata.get("special_columns") or []) or "none"
    reference = metadata.get("dpia_reference")
    return f"{text} (DPIA reference {reference})" if reference else text


def _feature_list(features: list[str]) -> dict:
    documented = BY_NAME
    return {
        "features": [{"name": n, "meaning": documented[n].meaning, "sources": list(documented[n].sources),
                      "actionable": documented[n].actionable,
                      "role": "special" if documented[n].special else "feature"}
                     for n in ["tenure_weeks", *features] if n in documented],
        "contract_roles": all_roles(),
    }
