"""Temporal backtest: as real use would, week by week.

Worked example. Data known on 2026-11-22. A label "uitval before week 52" of a placement scored on
test date T is certain once its first year has ended plus 60 days of registration grace, so the
last test date is 2026-11-22 - 363 - 60 days = 2025-09-25 (a Monday on or before it). With 26 test
dates and retraining every 13 weeks (each quarter, as the team would), models are trained on
T1 = 2025-03-31 and T14: each time on the rows usable on that day (their label window closed plus
grace by T, see `features.frames`), then they score every placement active on T..T+12 weeks. Scores are judged
against what happened, as known on 2026-11-22. Nothing a model sees was registered after its
training date; the test labels are never seen by any model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from lks.features.build import feature_names
from lks.features.frames import GRACE_DAYS, landmark_frame, person_period_frame
from lks.features.known import Known
from lks.models.base import TENURE
from lks.models.blend import RiskBlend
from lks.training.candidates import CANDIDATES, CANDIDATES_BY_NAME, ZORGELIJK_4W, Candidate, add_rule_signals
from lks.training.metrics import date_metrics, pooled, reliability

LANDMARK_EVERY_WEEKS = 2
EVAL_STRATEGY = "exclude"  # test labels resting on an unknown reason cannot be judged; they are left out


@dataclass(frozen=True)
class BacktestConfig:
    as_of: date
    unknown_reasons: str = "weighted"
    k: int = 25
    n_test_dates: int = 26
    retrain_every: int = 13

    def __post_init__(self):
        if self.k < 1 or self.n_test_dates < 1 or self.retrain_every < 1:
            raise ValueError(f"k, n_test_dates and retrain_every must be >= 1, but were "
                             f"{self.k}, {self.n_test_dates}, {self.retrain_every}")


@dataclass
class BacktestResult:
    test_dates: list[pd.Timestamp]
    per_date: dict[str, pd.DataFrame]        # model -> metrics per test date
    pooled: dict[str, dict[str, float]]      # model -> pooled metrics
    reliability: dict[str, pd.DataFrame]
    predictions: pd.DataFrame                # test rows: ids, labels, each model's risks
    notes: list[str] = field(default_factory=list)


def weekly_test_dates(as_of: date, n: int) -> list[pd.Timestamp]:
    """The last `n` Mondays whose 52-week labels are all known on `as_of`."""
    last = pd.Timestamp(as_of) - timedelta(days=363 + GRACE_DAYS)
    last -= timedelta(days=last.weekday())
    return list(pd.date_range(end=last, periods=n, freq="7D"))


def model_features(weekly: pd.DataFrame) -> list[str]:
    """Model inputs: every feature column but tenure_weeks (the models add it themselves)."""
    return [c for c in feature_names(weekly) if c != TENURE]


def training_frames(known: Known, weekly: pd.DataFrame, train_date: pd.Timestamp, unknown_reasons: str):
    """Landmark and person-period frames of rows usable on `train_date` (as-of dates before it).

    Landmarks are taken every LANDMARK_EVERY_WEEKS weeks, counted back from the newest date: the
    rows of one placement a week apart are near-copies, so this halves the cost of the landmark
    models without losing what they learn (on a tuning date: ROC AUC 52w 0.740 against 0.741).
    The person-period frame keeps every week: each week at risk is a row of the hazard model."""
    earlier = weekly[weekly["as_of"] < train_date]
    dates = earlier["as_of"].unique()
    landmark_dates = np.sort(dates)[::-1][::LANDMARK_EVERY_WEEKS]
    landmark = landmark_frame(known, landmark_dates, horizon=None, label_date=train_date,
                              unknown_reasons=unknown_reasons,
                              features=earlier[earlier["as_of"].isin(landmark_dates)])
    person_period = person_period_frame(known, dates, label_date=train_date,
                                        unknown_reasons=unknown_reasons, features=earlier)
    return add_rule_signals(landmark), person_period.assign(week=person_period[TENURE])


def fit_candidate(candidate: Candidate, frames: tuple[pd.DataFrame, pd.DataFrame], features: list[str],
                  fitted: dict | None = None):
    """Fit one candidate on its frame; a blend reuses its members from `fitted` (name -> model) or
    fits them. Every model fitted here is added to `fitted`."""
    fitted = {} if fitted is None else fitted
    if candidate.members:
        members = [fitted[name] if name in fitted else fit_candidate(CANDIDATES_BY_NAME[name], frames, features, fitted)
                   for name in candidate.members]
        model = RiskBlend(members, candidate.weights).fit(features=features)
    else:
        landmark, person_period = frames
        frame = landmark if candidate.frame == "landmark" else person_period
        inputs = [*features, ZORGELIJK_4W] if candidate.name == "current_practice" else features
        model = candidate.make().fit(frame, inputs)
    fitted[candidate.name] = model
    return model


def evaluation_rows(known: Known, weekly: pd.DataFrame, dates: list[pd.Timestamp], as_of: date) -> pd.DataFrame:
    """The placements active on each test date, with what happened to them as known on `as_of`."""
    rows = weekly[weekly["as_of"].isin(dates)]
    frame = landmark_frame(known, dates, horizon="52w", label_date=as_of, unknown_reasons=EVAL_STRATEGY,
                           features=rows)
    return add_rule_signals(frame)


def run_backtest(known: Known, weekly: pd.DataFrame, config: BacktestConfig, oracle: pd.DataFrame | None = None,
                 candidates: list[Candidate] = CANDIDATES, progress=None) -> BacktestResult:
    dates = weekly_test_dates(config.as_of, config.n_test_dates)
    features = model_features(weekly)
    test = evaluation_rows(known, weekly, dates, config.as_of)
    scored = []
    for start in range(0, len(dates), config.retrain_every):
        train_date = dates[start]
        block = dates[start:start + config.retrain_every]
        frames = training_frames(known, weekly, train_date, config.unknown_reasons)
        if progress:
            progress(f"training frames on {train_date:%Y-%m-%d}")
        rows = test[test["as_of"].isin(block)]
        out = rows[["placement_id", "as_of", TENURE, "uitval_13w", "uitval_52w"]].copy()
        out["train_date"] = train_date
        fitted: dict = {}
        for candidate in candidates:
            risks = fit_candidate(candidate, frames, features, fitted).predict_risks(rows)
            out[f"{candidate.name}__risk_13w"] = risks["risk_13w"].to_numpy()
            out[f"{candidate.name}__risk_52w"] = risks["risk_52w"].to_numpy()
            if progress:
                progress(f"{candidate.name} on {train_date:%Y-%m-%d}")
        scored.append(out)
    predictions = pd.concat(scored, ignore_index=True)
    names = [c.name for c in candidates]
    notes = []
    if oracle is not None:
        predictions, note = attach_oracle(predictions, oracle)
        names.append("oracle")
        notes.append(note)
    return summarise(predictions, names, dates, config.k, notes)


def attach_oracle(predictions: pd.DataFrame, oracle: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Join the simulator's true risks (truth/risk.parquet) to the test rows."""
    truth = oracle.rename(columns={"p_uitval_13w": "oracle__risk_13w", "p_uitval_52w": "oracle__risk_52w"})
    truth = truth.assign(as_of=pd.to_datetime(truth["as_of"]).astype("datetime64[ns]"))
    merged = predictions.merge(truth[["as_of", "placement_id", "oracle__risk_13w", "oracle__risk_52w"]],
                               on=["as_of", "placement_id"], how="left")
    missing = merged["oracle__risk_52w"].isna()
    merged = merged[~missing].reset_index(drop=True)
    return merged, (f"oracle: true risks found for {len(merged):,} of {len(predictions):,} test rows; "
                    "all models are scored on those rows")


def summarise(predictions: pd.DataFrame, names: list[str], dates, k: int, notes: list[str]) -> BacktestResult:
    per_date, pooled_metrics, curves = {}, {}, {}
    for name in names:
        rows = []
        for as_of, group in predictions.groupby("as_of"):
            rows.append({"as_of": as_of, **date_metrics(
                group["uitval_13w"].to_numpy(float), group["uitval_52w"].to_numpy(float),
                group[f"{name}__risk_13w"].to_numpy(), group[f"{name}__risk_52w"].to_numpy(), k)})
        per_date[name] = pd.DataFrame(rows)
        pooled_metrics[name] = pooled(per_date[name])
        curves[name] = reliability(predictions["uitval_52w"].to_numpy(float), predictions[f"{name}__risk_52w"])
    return BacktestResult(list(dates), per_date, pooled_metrics, curves, predictions, notes)


HEADLINE = ("roc_auc_13w", "roc_auc_52w", "precision_at_k")  # a champion beats every baseline on each


def choose_champion(result: BacktestResult, candidates: list[Candidate] = CANDIDATES) -> str:
    """The candidate that holds up best across test dates. Eligible are the candidates that beat every
    baseline in the backtest on pooled ROC AUC (13 and 52 weeks) and precision at k (if none does,
    all are; the training summary lists who was eligible). Among them: the highest mean precision at k, then the most
    test dates on which it is at least as precise as the others, then the lower ECE."""
    names = eligible_champions(result, candidates) or [c.name for c in candidates if c.champion_candidate]
    precision = pd.DataFrame({n: result.per_date[n]["precision_at_k"].to_numpy() for n in names})
    wins = {n: int((precision[n] >= precision.drop(columns=n).max(axis=1)).sum()) for n in names}
    return max(names, key=lambda n: (round(result.pooled[n]["precision_at_k"], 4), wins[n],
                                     -result.pooled[n]["ece_52w"]))


def eligible_champions(result: BacktestResult, candidates: list[Candidate] = CANDIDATES) -> list[str]:
    baselines = [c.name for c in candidates if not c.champion_candidate and c.name in result.pooled]
    return [c.name for c in candidates if c.champion_candidate and all(
        result.pooled[c.name][m] > result.pooled[b][m] for b in baselines for m in HEADLINE)]


def final_frames(known: Known, weekly: pd.DataFrame, as_of: date, unknown_reasons: str):
    """Frames of every row usable on `as_of`: what the registered model is trained on."""
    return training_frames(known, weekly, pd.Timestamp(as_of) + timedelta(days=1), unknown_reasons)

