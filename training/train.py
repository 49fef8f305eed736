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

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from lks.data_contracts import CONTRACT_VERSION
from lks.data_contracts.reasons import load_mapping
from lks.data_contracts.roles import all_roles, check_dpia_reference
from lks.data_contracts.store import batches, history
from lks.data_contracts.timeline import latest_versions
from lks.features.catalog import BY_NAME, special_columns
from lks.features.frames import mondays, weekly_features
from lks.features.known import Known, prepare
from lks.features.unknown_reasons import UnknownEstimate
from lks.models.bundle import ServingBundle, contributions_of
from lks.training import fairness, governance, report
from lks.training import promote as promotion
from lks.training.artifacts import SCHEMA_ARTIFACT, input_schema
from lks.training.backtest import (
    BacktestConfig,
    BacktestResult,
    final_frames,
    fit_candidate,
    model_features,
    run_backtest,
)
from lks.training.candidates import CANDIDATES, CANDIDATES_BY_NAME, survival
from lks.training.champion import choice_notes, choose_champion, eligible_champions, summary_fields
from lks.training.registry import RunRecord, log_and_register
from lks.training.strategies import legacy_unknown_share
from lks.training.tracking import CHAMPION, alias_version

HISTORY_START = "2019-01-07"  # the first Monday with enough placements to learn from
REFERENCE_ROWS = 200  # rows scored at training time for the report's SHAP summary (never logged: personal data)


@dataclass(frozen=True)
class TrainConfig(BacktestConfig):
    truth: Path | None = None     # a simulator truth/ folder: adds the oracle and the true reasons
    since: str = HISTORY_START    # the first weekly as-of date to learn from
    dpia_reference: str | None = None  # names the DPIA allowing special columns; None: they stay out

    def __post_init__(self) -> None:
        super().__post_init__()
        if check_dpia_reference(self.dpia_reference) != self.dpia_reference:
            raise ValueError(f"dpia_reference must be stripped, but was {self.dpia_reference!r}")


def train(engine: sa.Engine, config: TrainConfig, progress: Callable[[str], None] = lambda message: None,
          accountability: governance.Accountability | None = None) -> dict[str, Any]:
    progress("reading the store")
    hist = history(engine, config.as_of)
    known = prepare(hist)
    progress("building weekly features")
    weekly = weekly_features(known, mondays(config.since, config.as_of), dpia_reference=config.dpia_reference)
    oracle = pd.read_parquet(config.truth / "risk.parquet") if config.truth else None
    result = run_backtest(known, weekly, config, oracle=oracle, progress=progress)
    # --- champion rule (training.champion): raises NoChampion before anything is registered ---
    choice = choose_champion(result)
    chosen, result.choice = choice.model, choice
    result.notes.extend(choice_notes(result))
    # --- end champion rule ---
    progress(f"fitting {chosen} on everything known on {config.as_of}")
    features = model_features(weekly)
    frames = final_frames(known, weekly, config.as_of, config.unknown_reasons)
    fitted: dict[str, Any] = {}
    model = fit_candidate(CANDIDATES_BY_NAME[chosen], frames, features, fitted)
    # a baseline champion has no risk curve of its own: none is served rather than another model's
    curve_model = (fitted.get("survival") or survival().fit(frames[1], features)) if choice.kind == "candidate" \
        else None
    progress("fairness audit and unknown-reason strategies")
    persons = latest_versions(hist["persons"], "persons")
    audit = fairness.audit(result.predictions, _audit_columns(hist, persons), chosen, config.k)
    strategies = _strategy_errors(known, weekly, config, oracle is not None)
    unknown = legacy_unknown_share(known, config.as_of, weekly=weekly)
    result.notes.append(unknown.describe())
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
    fitted_run = _Fitted(result, chosen, bundle, audit, strategies, shap_summary, frames[1], reference, unknown)
    logged = _log(engine, config, fitted_run, progress)
    # governance (training/governance.py): proxy and flip tests, label audit by group, the version's documents
    progress("proxy and flip tests, label audit by group, documents")
    logged["governance"] = governance.document_training(
        logged, known=known, weekly=weekly, placements=latest_versions(hist["placements"], "placements"),
        persons=persons, model=model, features=features, k=config.k, as_of=config.as_of,
        unknown_reasons=config.unknown_reasons, audit=audit, feature_list=_feature_list(features)["features"],
        metadata=bundle.metadata, accountability=accountability)
    return logged


@dataclass(frozen=True)
class _Fitted:
    """What a training run produced, to be reported and logged."""

    result: BacktestResult
    chosen: str
    bundle: ServingBundle
    audit: pd.DataFrame
    strategies: pd.DataFrame
    shap_summary: pd.DataFrame
    person_period: pd.DataFrame
    reference: tuple[pd.DataFrame, pd.DataFrame]  # (features, risks) of the rows scored at training time
    unknown: UnknownEstimate  # what the legacy `onbekend` endings were, estimated (with its interval)


def special_use(config: TrainConfig, features: list[str]) -> dict[str, Any]:
    """What the bundle records about special-category data: the DPIA reference trained under and the
    special contract columns its inputs read (the service decides from these, not from the config)."""
    return {"dpia_reference": config.dpia_reference, "special_columns": special_columns(features)}


def _audit_columns(hist: dict[str, pd.DataFrame], persons: pd.DataFrame) -> pd.DataFrame:
    placements = latest_versions(hist["placements"], "placements")[["placement_id", "person_id"]]
    cols = ["person_id", "birth_year", "gender", "migration_background", "dutch_language_level", "district"]
    return placements.merge(persons[cols], on="person_id").drop(columns="person_id")


def _strategy_errors(known: Known, weekly: pd.DataFrame, config: TrainConfig, have_truth: bool) -> pd.DataFrame:
    """How each unknown-reason strategy labels the legacy `onbekend` endings, against the truth."""
    if not have_truth or config.truth is None:
        return pd.DataFrame()
    from lks.training.strategies import compare_strategies

    return compare_strategies(known, weekly, config.as_of, config.truth)


def _data_seen(engine: sa.Engine, as_of: date) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(batches.c.batch_id, batches.c.finished_at, batches.c.export_checksum,
                                      batches.c.source)).mappings().all()
    return {"as_of": str(as_of),
            "ingest_batches": [{**r, "finished_at": str(r["finished_at"])} for r in rows]}


def _log(engine: sa.Engine, config: TrainConfig, fitted: _Fitted, progress: Callable[[str], None]) -> dict[str, Any]:
    progress("logging to MLflow")
    result, chosen, bundle, audit = fitted.result, fitted.chosen, fitted.bundle, fitted.audit
    contenders = [c.name for c in CANDIDATES if c.champion_candidate]
    baselines = {n: m for n, m in result.pooled.items() if n not in (*contenders, "oracle")}
    summary: dict[str, Any] = {
        "model": chosen,
        "champion": result.pooled[chosen],
        "candidates": {n: result.pooled[n] for n in contenders},
        "eligible_champions": eligible_champions(result),
        "baselines": baselines,
        "oracle": result.pooled.get("oracle"),
        "test_dates": [str(d.date()) for d in result.test_dates],
        "notes": result.notes,
        "unknown_reasons": unknown_summary(fitted.unknown),
        **summary_fields(result),  # champion rule, validation window, onbekend readings (training.champion)
        # --- fairness audit and gates (training.fairness, training.promote) ---
        **fairness.summary_fields(audit, result.predictions),
        "special_columns": bundle.metadata.get("special_columns") or [], "dpia_reference": config.dpia_reference,
    }
    summary["gates"] = [asdict(g) for g in promotion.absolute_gates(summary, config.dpia_reference)]
    # --- end fairness ---
    from lks.models.baselines import TenureBaseline

    incidence = TenureBaseline().fit(fitted.person_period).cumulative_incidence(0)
    html = report.render(report.ReportInputs(
        title=f"lks-uitval: training as of {config.as_of}",
        summary={"trained at": f"{datetime.now():%Y-%m-%d %H:%M}", "data known on": str(config.as_of),
                 "model": chosen, "unknown reasons": config.unknown_reasons, "k": str(config.k),
                 "special columns": _special_summary(bundle.metadata),
                 "test dates": f"{summary['test_dates'][0]} .. {summary['test_dates'][-1]}"},
        pooled=result.pooled, per_date=result.per_date, reliability=result.reliability, incidence=incidence,
        shap_summary=fitted.shap_summary, strategies=fitted.strategies, fairness=audit, notes=result.notes,
    ))
    record = RunRecord(
        bundle=bundle,
        run_name=f"train as of {config.as_of}",
        params={**{k: str(v) for k, v in asdict(config).items()}, "model": chosen,
                "reason_mapping_version": load_mapping().version},
        metrics={**{f"{name}.{metric}": value for name, metrics in result.pooled.items()
                    for metric, value in metrics.items() if pd.notna(value)},
                 **unknown_metrics(fitted.unknown)},
        tags={"unknown_reasons.method": fitted.unknown.method,
              **({"dpia_reference": config.dpia_reference} if config.dpia_reference else {})},
        dicts={"backtest.json": summary, "unknown_reasons.json": summary["unknown_reasons"],
               "data.json": {**_data_seen(engine, config.as_of), "since": config.since},
               "features.json": _feature_list(bundle.features),
               # issue 17: no placement rows in MLflow, only the input schema the service needs
               SCHEMA_ARTIFACT: input_schema(fitted.reference[0], bundle.features)},
        texts={"report.html": html, "fairness.csv": audit.to_csv(index=False),
               **{f"per_date/{name}.csv": frame.to_csv(index=False) for name, frame in result.per_date.items()}},
    )
    # the gates (training.promote) apply to the first champion too: a model failing one stays challenger
    alias = promotion.first_alias(summary, champion_exists=alias_version(CHAMPION) is not None)
    registered = log_and_register(record, alias=alias)
    return {"run_id": registered.run_id, "version": registered.version, "alias": registered.alias,
            "summary": summary, "report": html}


def unknown_summary(estimate: UnknownEstimate) -> dict[str, Any]:
    """The estimate of what the legacy `onbekend` endings were, as the summary and `unknown_reasons.json` hold it."""
    return {**estimate.as_dict(), "text": estimate.describe()}


def unknown_metrics(estimate: UnknownEstimate) -> dict[str, float]:
    """The estimate's numbers as run metrics `unknown_reasons.*` (its method is a tag)."""
    return {f"unknown_reasons.{k}": float(v) for k, v in estimate.as_dict().items()
            if k != "method" and pd.notna(v)}


def _special_summary(metadata: dict[str, Any]) -> str:
    text = ", ".join(metadata.get("special_columns") or []) or "none"
    reference = metadata.get("dpia_reference")
    return f"{text} (DPIA reference {reference})" if reference else text


def _feature_list(features: list[str]) -> dict[str, Any]:
    documented = BY_NAME
    return {
        "features": [{"name": n, "meaning": documented[n].meaning, "sources": list(documented[n].sources),
                      "actionable": documented[n].actionable,
                      "role": "special" if documented[n].special else "feature"}
                     for n in ["tenure_weeks", *features] if n in documented],
        "contract_roles": all_roles(),
    }
