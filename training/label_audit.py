"""Label audit by group: where the labels rest on unknown end reasons, and what that does per group.

Before May 2025 most endings were registered with reason `onbekend`. If that happened more for some
groups than for others, every label, every evaluation and every fairness figure leans on a guess
that is not the same for everyone. Per protected group (and district), this reports:

- `placements`, `endings` and `onbekend_endings` (ended placements whose class is unknown, as known on
  `as_of`) with `onbekend_share` (of the endings), over the placements of `placements_of`;
- `eval_rows` (placements active on a test date, one row per date), `eval_on_onbekend`: the rows whose
  52-week label rests on an ending with an unknown reason, and `eval_left_out`: the rows the backtest's
  evaluation leaves out (its `EVAL_STRATEGY`: `exclude` drops exactly the former; a strategy that
  keeps them with a soft label drops none), with `left_out_share`;
- `uitval_share__<strategy>`: the share of those rows counted as uitval under each unknown-reason
  strategy (`weighted` counts a split row by its weights), and `rows__<strategy>`: the rows it keeps.

Worked example: group A has 10 endings, 4 `onbekend`; group B 10 endings, 1 `onbekend`. A's
uitval share under `as_uitval` rises far more over `exclude` than B's: how A's risk is learnt and
judged depends more on the strategy chosen.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lks.features.frames import landmark_frame
from lks.features.known import Known, as_of_day
from lks.features.labels import outcomes_known
from lks.features.unknown_reasons import STRATEGIES
from lks.training.backtest import EVAL_STRATEGY
from lks.training.groups import AUDITED, with_groups

MISSING = "onbekend (niet geregistreerd)"


def _by_group(frame: pd.DataFrame, attribute: str) -> pd.Series:
    return frame[attribute].astype(object).where(frame[attribute].notna(), MISSING).astype(str)


def _strategy_frame(known: Known, rows: pd.DataFrame, dates, as_of: date, strategy: str) -> pd.DataFrame:
    return landmark_frame(known, dates, horizon="52w", label_date=as_of, unknown_reasons=strategy, features=rows)


def label_audit(known: Known, rows: pd.DataFrame, as_of: date, persons: pd.DataFrame,
                strategies=STRATEGIES, placements_of: pd.DataFrame | None = None) -> pd.DataFrame:
    """`rows`: the weekly feature rows of the test dates (placement_id, as_of, ...); `persons`:
    placement_id and the person columns (`groups.PERSON_COLUMNS`); `placements_of`: the rows whose
    placements the ending counts cover (default `rows`; `lks train` passes every weekly row, so the
    legacy era the models learn from is counted). One row per attribute and group."""
    dates = np.sort(rows["as_of"].unique())
    covered = (rows if placements_of is None else placements_of)["placement_id"].unique()
    outcome = outcomes_known(known, as_of_day(as_of)).reset_index()
    outcome = outcome[outcome["placement_id"].isin(covered)]
    placements = with_groups(outcome.assign(ended=outcome["event"].astype(str) != "censored",
                                            unknown=outcome["event"].astype(str) == "unknown"),
                             persons, on="start_date")
    active = with_groups(rows[["placement_id", "as_of"]].drop_duplicates(), persons)
    keys = pd.MultiIndex.from_frame(active[["placement_id", "as_of"]])
    evaluated = _strategy_frame(known, rows, dates, as_of, EVAL_STRATEGY)[["placement_id", "as_of"]]
    active["evaluated"] = keys.isin(pd.MultiIndex.from_frame(evaluated))
    certain = _strategy_frame(known, rows, dates, as_of, "exclude")[["placement_id", "as_of"]]
    active["on_onbekend"] = ~keys.isin(pd.MultiIndex.from_frame(certain))
    labelled = {}
    for strategy in strategies:
        frame = _strategy_frame(known, rows, dates, as_of, strategy)
        labelled[strategy] = with_groups(frame[["placement_id", "as_of", "uitval_52w", "weight"]].copy(), persons)
    out = []
    for attribute in AUDITED:
        per_placement = placements.groupby(_by_group(placements, attribute))
        per_row = active.groupby(_by_group(active, attribute))
        table = pd.DataFrame({
            "placements": per_placement.size(), "endings": per_placement["ended"].sum(),
            "onbekend_endings": per_placement["unknown"].sum(),
            "eval_rows": per_row.size(), "eval_on_onbekend": per_row["on_onbekend"].sum(),
            "eval_left_out": per_row["evaluated"].apply(lambda s: int((~s).sum())),
        }).fillna(0)
        for strategy, frame in labelled.items():
            group = _by_group(frame, attribute)
            y, w = frame["uitval_52w"].astype(float), frame["weight"].astype(float)
            known_y = y.notna()
            share = (y[known_y] * w[known_y]).groupby(group[known_y]).sum() / w[known_y].groupby(group[known_y]).sum()
            table[f"uitval_share__{strategy}"] = share
            kept = frame.drop_duplicates(["placement_id", "as_of"])  # `weighted` splits a row in two
            table[f"rows__{strategy}"] = kept.groupby(_by_group(kept, attribute)).size()
        table = table.rename_axis("group").reset_index()
        table.insert(0, "attribute", attribute)
        out.append(table)
    result = pd.concat(out, ignore_index=True)
    for column in ("placements", "endings", "onbekend_endings", "eval_rows", "eval_on_onbekend", "eval_left_out"):
        result[column] = result[column].fillna(0).astype(int)
    result["onbekend_share"] = result["onbekend_endings"] / result["endings"].where(result["endings"] > 0)
    result["left_out_share"] = result["eval_left_out"] / result["eval_rows"].where(result["eval_rows"] > 0)
    return result
