"""Post-market monitoring of the stored risk lists: does the model still hold once it is in use?

Reads only what the service stored (risk_lists, risk_scores with the inputs as scored, actions) and the
ingested history (for the outcomes and, audit only, the protected columns). Nothing is re-scored.

Worked example. Monitoring on 2024-09-01 a list of 2024-01-15: its 13-week labels close on 2024-04-15
(capped at the end of each placement's first year) and are usable from 2024-06-14, 60 days of
registration grace later (`lks.features.frames`), so the list counts for 13w; its 52-week labels close a
year after each start and are not known yet, so it does not count for 52w. A placement on it with an
intervention recorded on 2024-01-20 is "met interventie": if it then survives, that is help that may have
worked, reported apart, and the quality alerts look at the placements without one.

Sections of the result (a JSON-able dict):
- performance: per horizon and population (all, without and with an intervention) the per-week figures
  pooled over weeks with 95% bootstrap intervals (weeks resampled whole), plus a calibration curve;
- fairness: recall at k, share on the list, observed rate and mean risk per group of every audited
  attribute (fairlearn's MetricFrame), and the largest recall gap per attribute;
- drift: population stability index of every model input and of both scores, the champion's first
  stored weeks against its last ones, the inputs that moved most first;
- decisions: listed placements with a recorded decision within two weeks, by team;
- alerts: every threshold of the versioned configuration (monitoring.yaml) that was crossed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
import yaml
from fairlearn.metrics import MetricFrame
from scipy.stats import binomtest
from sklearn.metrics import brier_score_loss, roc_auc_score

from lks.data_contracts.store import history
from lks.data_contracts.timeline import YEAR_WEEKS, latest_versions
from lks.features.frames import GRACE_DAYS, HORIZON_DAYS, landmark_frame, weekly_features
from lks.features.known import prepare
from lks.service.persistence.tables import actions, list_samples, risk_lists, risk_scores
from lks.training.backtest import EVAL_STRATEGY
from lks.training.fairness import AUDITED, age_band
from lks.training.metrics import ece, pooled, reliability, split_soft

POPULATIONS = ("all", "without_intervention", "with_intervention")


def load_config(path: Path | None = None) -> dict:
    """The thresholds: the packaged monitoring.yaml, or `path`."""
    text = path.read_text() if path else resources.files(__package__).joinpath("monitoring.yaml").read_text()
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Inputs:
    scores: pd.DataFrame   # one row per placement per stored list (the newest list of each week)
    actions: pd.DataFrame  # placement_id, at, kind
    history: dict[str, pd.DataFrame]


def read_inputs(engine: sa.Engine, as_of: date) -> Inputs:
    """What was stored by the end of `as_of`: lists of weeks up to it, decisions and history up to it."""
    query = (sa.select(risk_lists.c.list_id, risk_lists.c.as_of, risk_lists.c.model_version,
                       risk_scores.c.placement_id, risk_scores.c.team, risk_scores.c.district,
                       risk_scores.c.risk_13w, risk_scores.c.risk_52w, risk_scores.c.rank, risk_scores.c.features)
             .join(risk_lists, risk_lists.c.list_id == risk_scores.c.list_id)
             .where(risk_lists.c.as_of <= as_of))
    end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    with engine.connect() as conn:
        scores = pd.DataFrame(conn.execute(query).mappings().all(), columns=list(query.selected_columns.keys()))
        acts = pd.DataFrame(conn.execute(sa.select(actions.c.placement_id, actions.c.at, actions.c.kind)
                                         .where(actions.c.at < end.to_pydatetime())).mappings().all(),
                            columns=["placement_id", "at", "kind"])
        drawn = pd.DataFrame(conn.execute(sa.select(list_samples.c.list_id, list_samples.c.placement_id)).all(),
                             columns=["list_id", "placement_id"])
    scores = scores.merge(drawn.assign(sample=True), on=["list_id", "placement_id"], how="left")
    scores["sample"] = scores["sample"].astype("boolean").fillna(False).astype(bool)
    if len(scores):  # a week scored again (a new champion, late facts): its newest list is the one in use
        newest = scores.groupby("as_of")["list_id"].transform("max")
        scores = scores[scores["list_id"] == newest].reset_index(drop=True)
    scores["as_of"] = pd.to_datetime(scores["as_of"])
    acts["at"] = pd.to_datetime(acts["at"])
    return Inputs(scores, acts, history(engine, as_of))


def monitor(inputs: Inputs, as_of: date, config: dict) -> dict:
    k = int(config["k"])
    labelled = label_rows(inputs, as_of, config)
    result = {
        "as_of": str(as_of), "config_version": config.get("version"), "k": k,
        "n_lists": int(inputs.scores["list_id"].nunique()),
        "model_versions": sorted(str(v) for v in inputs.scores["model_version"].unique()),
        "performance": {h: performance(labelled[h], k, int(config["bootstrap_rounds"])) for h in labelled},
        "fairness": {h: fairness(labelled[h], k, int(config["fairness"]["min_group_positives"]),
                              int(config["bootstrap_rounds"])) for h in labelled},
        "sample": {h: unflagged(labelled[h]) for h in labelled},
        "listed_not_judged": {h: not_judged(inputs.scores, labelled[h], k) for h in labelled},
        "drift": drift(inputs.scores, config["drift"]),
        "decisions": decisions(inputs.scores, inputs.actions, as_of, k, config["decisions"]),
    }
    result["alerts"] = alerts(result, config)
    return jsonable(result)


# ---- outcomes -------------------------------------------------------------------------------------------

def label_rows(inputs: Inputs, as_of: date, config: dict) -> dict[str, pd.DataFrame]:
    """Per horizon, the rows of every closed list (`closed_lists`) with `y`, `p`, `on_list` (rank <= k),
    `intervention`, `unknown_ending` and the audited attributes.

    `y` is the label by the training's rules as known on `as_of`. An ending registered as `onbekend` keeps its
    row: with `unknown_reasons: soft` (the default) its label is the unknown-reason model's P(uitval), exactly
    as the backtest reads its test rows (`training.backtest.EVAL_STRATEGY`); `exclude` drops the row. Dropping
    is biased even when reasons go missing at random: only rows with an ending can lose their label, and a row
    with an ending is far more often uitval than a row without one (measured on the simulator run forward,
    README)."""
    scores = inputs.scores
    if not len(scores):
        return {}
    frame = scores[["list_id", "placement_id", "as_of", "team", "district", "risk_13w", "risk_52w", "rank",
                    "sample"]]
    strategy = config["unknown_reasons"]
    if strategy not in ("soft", "exclude"):
        raise ValueError(f"unknown_reasons must be 'soft' or 'exclude', but was {strategy!r}")
    known = prepare(inputs.history)
    dates = sorted(frame["as_of"].unique())
    # the unknown-reason model needs the point-in-time features of each list's date, not the stored inputs
    weekly = weekly_features(known, dates)
    labelled = landmark_frame(known, dates, horizon=None, label_date=as_of, unknown_reasons=EVAL_STRATEGY,
                              features=weekly)
    labels = fold_soft(labelled[["placement_id", "as_of", "weight", "uitval_13w", "uitval_52w"]])
    labelled = frame.merge(labels, on=["placement_id", "as_of"], how="inner")
    labelled["on_list"] = (labelled["rank"] <= int(config["k"])).astype(int)
    labelled["intervention"] = helped(labelled, inputs.actions, int(config["intervention_days"]))
    labelled = labelled.join(protected(inputs.history, labelled))
    closed = closed_lists(scores, inputs.history, as_of)
    out = {}
    for h in config["horizons"]:
        rows = labelled[labelled["list_id"].isin(closed[h]) & labelled[f"uitval_{h}"].notna()].copy()
        if strategy == "exclude":
            rows = rows[~rows["unknown_ending"]]
        if len(rows):
            rows["y"] = rows[f"uitval_{h}"].astype(float)
            rows["p"] = rows[f"risk_{h}"].astype(float)
            out[h] = rows.reset_index(drop=True)
    return out


def fold_soft(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (placement, date) again after the unknown-reason split (an uitval copy with weight P
    first, a neutral copy with 1 - P): the label becomes P * uitval + (1 - P) * neutral, a soft label, and
    `unknown_ending` says which rows rest on an `onbekend` ending."""
    keys = ["placement_id", "as_of"]
    first = ~rows.duplicated(keys, keep="first")
    out = rows[first].set_index(keys)
    neutral = rows[~first].set_index(keys).reindex(out.index)
    split = neutral["weight"].notna().to_numpy()
    p = out["weight"].to_numpy(float)
    for h in ("13w", "52w"):
        up, down = out[f"uitval_{h}"].astype(float).to_numpy(), neutral[f"uitval_{h}"].astype(float).to_numpy()
        out[f"uitval_{h}"] = np.where(split, p * up + (1 - p) * down, up)
    out["unknown_ending"] = split
    return out.drop(columns="weight").reset_index()


def closed_lists(scores: pd.DataFrame, hist: dict[str, pd.DataFrame], as_of: date) -> dict[str, set]:
    """Per horizon, the lists whose every row's label window has closed, plus the registration grace, by
    `as_of`: 13w when D + 91 + grace has passed (every window ends by D + 91); 52w when the first year of
    every placement on it has ended, plus grace. Judged from all the list's placements, not from the rows
    that happen to have a label already: a list half known would be judged on the placements near the end
    of their first year only."""
    placements = latest_versions(hist["placements"], "placements").set_index("placement_id")["start_date"]
    starts = pd.to_datetime(placements.reindex(scores["placement_id"]).to_numpy())
    lists = pd.DataFrame({"list_id": scores["list_id"].to_numpy(), "as_of": scores["as_of"].to_numpy(),
                          "year_end": starts + pd.Timedelta(days=7 * YEAR_WEEKS - 1)})
    grace, day = pd.Timedelta(days=GRACE_DAYS), pd.Timestamp(as_of)
    per_list = lists.groupby("list_id").agg(as_of=("as_of", "max"), year_end=("year_end", "max"))
    return {"13w": set(per_list.index[per_list["as_of"] + pd.Timedelta(days=HORIZON_DAYS["13w"]) + grace <= day]),
            "52w": set(per_list.index[per_list["year_end"] + grace <= day])}


def not_judged(scores: pd.DataFrame, rows: pd.DataFrame, k: int) -> dict:
    """Listed placements (top k) of the judged lists that have no label: the placement had already ended on
    the list's date, its ending registered after it (never at risk, by the label rules), or its `onbekend`
    ending was excluded. Precision at k is taken over the others; a coordinator's capacity went to these."""
    judged = scores[scores["list_id"].isin(rows["list_id"].unique()) & (scores["rank"] <= k)]
    missing = int(len(judged) - int((rows["on_list"] == 1).sum()))
    return {"listed": len(judged), "not_judged": missing, "share": missing / len(judged) if len(judged) else math.nan}


def helped(rows: pd.DataFrame, acts: pd.DataFrame, days: int) -> np.ndarray:
    """True where an intervention for the placement was recorded within `days` after the list's date."""
    interventions = acts[acts["kind"] == "intervention"]
    pairs = rows[["placement_id", "as_of"]].reset_index().merge(interventions, on="placement_id")
    inside = (pairs["at"] >= pairs["as_of"]) & (pairs["at"] < pairs["as_of"] + pd.Timedelta(days=days))
    return rows.index.isin(pairs.loc[inside, "index"])


def protected(hist: dict[str, pd.DataFrame], rows: pd.DataFrame) -> pd.DataFrame:
    """The audited attributes of each row's person, as stored now (audit only, never a model input)."""
    placements = latest_versions(hist["placements"], "placements")[["placement_id", "person_id"]]
    persons = latest_versions(hist["persons"], "persons").drop(columns=["district"])
    merged = rows[["placement_id", "as_of"]].merge(placements.merge(persons, on="person_id", how="left"),
                                                   on="placement_id", how="left")
    merged.index = rows.index
    merged["age_band"] = age_band(merged["birth_year"], merged["as_of"])
    return merged[[a for a in AUDITED if a != "district"]]


# ---- performance ------------------------------------------------------------------------------------------

def week_figures(rows: pd.DataFrame) -> dict[str, float]:
    """One list's figures; a soft label (an `onbekend` ending) counts as expected, as in the backtest:
    split into an uitval and a no-uitval row weighted P and 1 - P for Brier, ECE and ROC AUC."""
    y, p, listed = rows["y"].to_numpy(float), rows["p"].to_numpy(float), rows["on_list"].to_numpy(bool)
    rate = float(y.mean()) if len(y) else math.nan
    precision = float(y[listed].mean()) if listed.any() else math.nan
    labels, scores, weights = split_soft(y, p)
    both = 0 < np.sum(weights * labels) < np.sum(weights)
    return {
        "n": len(y), "observed_rate": rate, "mean_risk": float(p.mean()) if len(p) else math.nan,
        "brier": float(brier_score_loss(labels, scores, sample_weight=weights)) if len(y) else math.nan,
        "ece": ece(labels, scores, weight=weights),
        "roc_auc": float(roc_auc_score(labels, scores, sample_weight=weights)) if both else math.nan,
        "precision_at_k": precision,
        "recall_at_k": float(y[listed].sum() / y.sum()) if y.sum() else math.nan,
        "lift_at_k": precision / rate if rate else math.nan,
    }


def performance(rows: pd.DataFrame, k: int, rounds: int) -> dict:
    out: dict[str, dict] = {}
    for population in POPULATIONS:
        subset = rows if population == "all" else rows[rows["intervention"] == (population == "with_intervention")]
        weeks = [{"as_of": str(d.date()), **week_figures(g)} for d, g in subset.groupby("as_of")]
        if not weeks:
            out[population] = {"n_weeks": 0}
            continue
        per_week = pd.DataFrame(weeks).assign(k=k)
        with warnings.catch_warnings():  # a figure undefined in every week (no uitval at all) stays NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            figures = pooled(per_week, n_boot=rounds)
        figures.pop("n_test_dates")
        out[population] = {"n_weeks": len(weeks), "n_rows": len(subset),
                           "n_unknown_endings": int(subset["unknown_ending"].sum()), "pooled": figures, "weeks": weeks,
                           "calibration_curve": calibration(subset)}
    return out


def calibration(rows: pd.DataFrame) -> list[dict]:
    if rows["y"].nunique() < 2:
        return []
    return reliability(rows["y"].to_numpy(), rows["p"].to_numpy()).to_dict("records")


def unflagged(rows: pd.DataFrame) -> dict:
    """What the steekproef (random placements below the cut, `sampling`) says about the unflagged: their
    uitval rate with a 95% (Clopper-Pearson) interval, and the recall at k it implies: the list's hits
    against its hits plus the rate times the number of unlisted rows. Sampled rows are below k, so they
    never count in precision at k."""
    sample = rows[rows["sample"]]
    hits, unlisted = float(rows.loc[rows["on_list"] == 1, "y"].sum()), int((rows["on_list"] == 0).sum())
    if not len(sample):
        return {"n_sampled": 0}
    found = float(sample["y"].sum())  # soft labels (an `onbekend` ending) add their P(uitval)
    interval = binomtest(round(found), len(sample)).proportion_ci()
    rates = {"rate": found / len(sample), "rate_lo": interval.low, "rate_hi": interval.high}

    def recall(rate: float) -> float:
        return hits / (hits + rate * unlisted) if hits + rate * unlisted else math.nan

    return {"n_sampled": len(sample), "uitval_in_sample": found, "unlisted_rows": unlisted, **rates,
            "estimated_recall_at_k": recall(rates["rate"]), "estimated_recall_at_k_lo": recall(rates["rate_hi"]),
            "estimated_recall_at_k_hi": recall(rates["rate_lo"])}


# ---- fairness ---------------------------------------------------------------------------------------------

def fairness(rows: pd.DataFrame, k: int, min_positives: int, rounds: int = 500) -> dict:
    """Per audited attribute and group: recall at k, share on the list, observed rate, mean risk; and the
    largest recall gap among the groups with at least `min_positives` placements ending in uitval (smaller
    groups are reported, not judged; `positives` counts placement-weeks), with a 95% bootstrap interval
    (`gap_interval`)."""
    out = {}
    for attribute in AUDITED:
        groups = rows[attribute].fillna("onbekend").astype(str).to_numpy()
        by_group = MetricFrame(
            metrics={
                "share_on_list": lambda yt, yp: float(np.mean(yp)),
                "recall_at_k": lambda yt, yp: float(np.sum(yt * yp) / np.sum(yt)) if np.sum(yt) else np.nan,
                "observed_rate": lambda yt, yp: float(np.mean(yt)),
                "positives": lambda yt, yp: float(np.sum(yt)),
            },
            y_true=rows["y"].to_numpy(float), y_pred=rows["on_list"].to_numpy(float), sensitive_features=groups,
        ).by_group
        by_group["mean_risk"] = pd.Series(rows["p"].to_numpy(float)).groupby(groups).mean()
        by_group["n"] = pd.Series(groups).value_counts()
        # a placement is on every weekly list until it ends: count its uitval once, not once per week
        ending = pd.DataFrame({"group": groups, "placement_id": rows["placement_id"].to_numpy(),
                               "y": rows["y"].to_numpy(float)})
        by_group["uitval_placements"] = ending.groupby(["group", "placement_id"])["y"].max().groupby("group").sum()
        judged = by_group[by_group["uitval_placements"] >= min_positives]["recall_at_k"].dropna()
        gap = float(judged.max() - judged.min()) if len(judged) > 1 else 0.0
        lo, hi = gap_interval(rows, groups, str(judged.idxmax()), str(judged.idxmin()), rounds) \
            if len(judged) > 1 else (0.0, 0.0)
        out[attribute] = {"recall_gap": gap, "recall_gap_lo": lo, "recall_gap_hi": hi,
                          "lowest_group": str(judged.idxmin()) if len(judged) > 1 else None,
                          "highest_group": str(judged.idxmax()) if len(judged) > 1 else None,
                          "groups": {str(g): m.to_dict() for g, m in by_group.iterrows()}}
    return out


def gap_interval(rows: pd.DataFrame, groups: np.ndarray, high: str, low: str, rounds: int,
                 seed: int = 0) -> tuple[float, float]:
    """95% bootstrap interval of recall(high) - recall(low), placements resampled whole (a placement is on
    several weekly lists; its rows are not independent), as the training's fairness audit resamples."""
    hits = rows["y"].to_numpy(float) * rows["on_list"].to_numpy(float)
    positives = rows["y"].to_numpy(float)
    placement = pd.factorize(rows["placement_id"])[0]
    n = int(placement.max()) + 1
    sums = {}
    for name in (high, low):
        mask = groups == name
        sums[name] = (np.bincount(placement[mask], hits[mask], n), np.bincount(placement[mask], positives[mask], n))
    rng = np.random.default_rng(seed)
    draws = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(rounds)])
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = {name: (draws @ h) / (draws @ p) for name, (h, p) in sums.items()}
    gaps = recall[high] - recall[low]
    gaps = gaps[np.isfinite(gaps)]
    if not len(gaps):
        return math.nan, math.nan
    lo, hi = np.percentile(gaps, [2.5, 97.5])
    return float(lo), float(hi)


# ---- drift ------------------------------------------------------------------------------------------------

def psi(reference: pd.Series, recent: pd.Series, bins: int = 10, floor: float = 1e-4) -> float:
    """Population stability index, sum (q - r) ln(q / r) over bins: deciles of the reference for numbers
    (a missing value is a bin of its own), the values themselves for anything else."""
    numeric_ref, numeric_new = pd.to_numeric(reference, errors="coerce"), pd.to_numeric(recent, errors="coerce")
    if numeric_ref.notna().sum() == reference.notna().sum() and numeric_new.notna().sum() == recent.notna().sum():
        edges = np.unique(np.nanquantile(numeric_ref.dropna(), np.linspace(0, 1, bins + 1)[1:-1])) \
            if numeric_ref.notna().any() else np.array([])
        ref_bins = np.where(numeric_ref.isna(), -1, np.searchsorted(edges, numeric_ref, side="right"))
        new_bins = np.where(numeric_new.isna(), -1, np.searchsorted(edges, numeric_new, side="right"))
    else:
        ref_bins, new_bins = reference.astype(str).to_numpy(), recent.astype(str).to_numpy()
    r = pd.Series(ref_bins).value_counts(normalize=True)
    q = pd.Series(new_bins).value_counts(normalize=True)
    r, q = r.reindex(r.index.union(q.index), fill_value=0), q.reindex(r.index.union(q.index), fill_value=0)
    r, q = np.clip(r.to_numpy(), floor, None), np.clip(q.to_numpy(), floor, None)
    return float(np.sum((q - r) * np.log(q / r)))


def drift(scores: pd.DataFrame, config: dict) -> dict:
    """The newest list's model: its first `reference_weeks` stored weeks against its last `recent_weeks`."""
    if not len(scores):
        return {"status": "no lists"}
    champion = scores.loc[scores["as_of"].idxmax(), "model_version"]
    own = scores[scores["model_version"] == champion]
    weeks = sorted(own["as_of"].unique())
    n_ref, n_recent = int(config["reference_weeks"]), int(config["recent_weeks"])
    if len(weeks) < n_ref + n_recent:
        return {"status": f"too few weeks: {len(weeks)} stored, {n_ref + n_recent} needed",
                "model_version": str(champion)}
    reference, recent = own[own["as_of"].isin(weeks[:n_ref])], own[own["as_of"].isin(weeks[-n_recent:])]
    ref_inputs = pd.DataFrame(list(reference["features"]))
    new_inputs = pd.DataFrame(list(recent["features"]))
    bins = int(config["bins"])
    inputs = {c: psi(ref_inputs[c], new_inputs.get(c, pd.Series(dtype=float)), bins) for c in ref_inputs.columns}
    ordered = sorted(inputs.items(), key=lambda kv: -kv[1])
    return {
        "status": "ok", "model_version": str(champion),
        "reference_weeks": [str(pd.Timestamp(w).date()) for w in weeks[:n_ref]],
        "recent_weeks": [str(pd.Timestamp(w).date()) for w in weeks[-n_recent:]],
        "scores": {r: psi(reference[r], recent[r], bins) for r in ("risk_13w", "risk_52w")},
        "inputs": dict(ordered),
        "moved_most": [name for name, _ in ordered[:int(config["top"])]],
    }


# ---- decisions --------------------------------------------------------------------------------------------

def decisions(scores: pd.DataFrame, acts: pd.DataFrame, as_of: date, k: int, config: dict) -> dict:
    """Listed placements (top k) of every list at least `within_days` old with any recorded decision
    (an intervention or no action with its reason) within `within_days` of the list's date, by team."""
    days = int(config["within_days"])
    listed = scores[(scores["rank"] <= k) & (scores["as_of"] <= pd.Timestamp(as_of - timedelta(days=days)))]
    listed = listed[["placement_id", "as_of", "team"]].reset_index(drop=True)
    pairs = listed.reset_index().merge(acts, on="placement_id")
    inside = (pairs["at"] >= pairs["as_of"]) & (pairs["at"] < pairs["as_of"] + pd.Timedelta(days=days))
    listed["decided"] = listed.index.isin(pairs.loc[inside, "index"])
    teams = listed.assign(team=listed["team"].fillna("onbekend")).groupby("team")["decided"].agg(["size", "sum"])
    return {
        "within_days": days, "listed": len(listed), "decided": int(listed["decided"].sum()),
        "share": float(listed["decided"].mean()) if len(listed) else math.nan,
        "by_team": {str(t): {"listed": int(r["size"]), "decided": int(r["sum"]), "share": float(r["sum"] / r["size"])}
                    for t, r in teams.iterrows()},
    }


# ---- thresholds -------------------------------------------------------------------------------------------

def alerts(result: dict, config: dict) -> list[dict]:
    """Every crossed threshold: {check, horizon or subject, value, threshold, message}."""
    out: list[dict] = []
    quality = config["quality"]
    for h, populations in result["performance"].items():
        figures = populations["without_intervention"].get("pooled") or {}
        checks = (("ece", "ece_lo", ">", quality["max_ece"]),
                  ("lift_at_k", "lift_at_k_hi", "<", quality["min_lift_at_k"]),
                  ("roc_auc", "roc_auc_hi", "<", quality["min_roc_auc"]))
        for name, bound, side, threshold in checks:
            value = figures.get(bound, math.nan)
            if not math.isnan(value) and (value > threshold if side == ">" else value < threshold):
                out.append({"check": name, "subject": h, "value": figures[name], "threshold": threshold,
                            "message": f"{name} {h} is {figures[name]:.3f} (95% interval "
                                       f"{figures[name + '_lo']:.3f}-{figures[name + '_hi']:.3f}), "
                                       f"threshold {side} {threshold}"})
    for h, attributes in result["fairness"].items():
        for attribute, figures in attributes.items():
            # larger than the threshold, and the lowest group's recall surely below the highest one's: a gap
            # between small groups that chance alone could give is reported, not alerted on
            if figures["recall_gap"] > config["fairness"]["max_recall_gap"] and (figures["recall_gap_lo"] or 0) > 0:
                out.append({"check": "recall_gap", "subject": f"{h} {attribute}", "value": figures["recall_gap"],
                            "threshold": config["fairness"]["max_recall_gap"],
                            "message": f"recall at k {h} differs {figures['recall_gap']:.2f} (95% interval "
                                       f"{figures['recall_gap_lo']:.2f}-{figures['recall_gap_hi']:.2f}) between "
                                       f"groups of {attribute}; lowest: {figures['lowest_group']}"})
    found = result["drift"]
    if found.get("status") == "ok":
        for name, value in found["scores"].items():
            if value > config["drift"]["max_psi_score"]:
                out.append({"check": "psi_score", "subject": name, "value": value,
                            "threshold": config["drift"]["max_psi_score"],
                            "message": f"score {name} drifted: PSI {value:.2f}"})
        for name, value in found["inputs"].items():
            if value > config["drift"]["max_psi_input"]:
                out.append({"check": "psi_input", "subject": name, "value": value,
                            "threshold": config["drift"]["max_psi_input"],
                            "message": f"input {name} drifted: PSI {value:.2f}"})
    rule = config["decisions"]
    for team, figures in result["decisions"]["by_team"].items():
        if figures["listed"] >= rule["min_listed"] and figures["share"] < rule["min_share"]:
            out.append({"check": "decisions", "subject": team, "value": figures["share"],
                        "threshold": rule["min_share"],
                        "message": f"team {team}: {figures['decided']} of {figures['listed']} listed placements "
                                   f"got a decision within {rule['within_days']} days"})
    return out


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
