"""Training frames: landmark rows for classification and person-period rows for discrete-time
survival, built from features computed once per weekly as-of date.

Landmark row: a placement active on an as-of date a (a Monday) in its first 52 weeks, with
its features as of a and labels known on the label date T:
- `uitval_13w`: an uitval ending with a < end_date <= min(a + 91 days, start + 363 days): within
  13 weeks and within the first year, the horizon every model predicts (the survival model's
  hazards stop at tenure week 51, so an uncapped label would judge it on weeks it never covers);
- `uitval_52w`: an uitval ending with a < end_date <= start + 363 days (before tenure week 52).
A neutral ending inside the window is a competing event: the label is 0, known when it is
registered. Rows whose placement, as known on T, had already ended on or before a (an ending
registered late, after a) are dropped: they were never at risk on a.

`label_known_at` is the first date on which the row may be used for training:
- the window's last day plus `grace_days` (60), whatever the label. Endings are often
  registered weeks after the last working day; without a grace period a row whose window just
  closed would be labelled 0 although its ending is merely not registered yet. Sixty days
  covers most late registrations; a later one is noise in training exactly as it is in use.
  Rows with an ending are not admitted earlier, at its registration: that would select the
  latest weeks of a training frame on their outcome and fill them with positives;
- an ending inside the window registered even later than that: the day it was registered.
A frame for training on T keeps only rows with label_known_at <= T (for the primary `horizon`;
the other label column is <NA> where it is not yet known on T).

Worked example. PL1 starts 2024-01-08 (a Monday). On a = 2024-03-04 (week 8) the 13-week window
is 2024-03-05..2024-06-03. If PL1 ends 2024-04-12 with `conflict`, registered 2024-04-20, the row
has uitval_13w = 1; had it not ended, uitval_13w = 0. Either way the row is usable from
2024-06-03 + 60 days = 2024-08-02, so a model trained on T = 2024-07-01 does not see it. On
a = 2024-11-25 (week 46) the 13-week window stops at the end of the first year, 2025-01-05
(start + 363 days): an ending on 2025-01-20 counts for neither label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from lks.features.build import features_over
from lks.features.known import Known, as_of_day, day_number, day_to_timestamp, prepare
from lks.features.labels import outcomes_known
from lks.features.unknown_reasons import (
    DEFAULT_STRATEGY,
    Classes,
    Resolved,
    UnknownEstimate,
    check_strategy,
    estimate_unknown,
    resolve,
)

GRACE_DAYS = 60
HORIZON_DAYS = {"13w": 91}  # from the as-of date, capped at start + 363; "52w" runs to start + 363 days
HORIZONS = ("13w", "52w")
TENURE_WEEKS = 52
EVENT_CODES = {"none": 0, "uitval": 1, "neutral": 2}


def mondays(first: object, last: object) -> pd.DatetimeIndex:
    """The weekly as-of dates: every Monday from `first` to `last` inclusive."""
    return pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="W-MON")


def weekly_features(known: Known, as_of_dates: Iterable[object], *, dpia_reference: str | None = None) -> pd.DataFrame:
    """Features for every as-of date, computed once per date; rows in the first 52 weeks. The special
    features only with a `dpia_reference` (see `features.build`)."""
    frames = [f[f["tenure_weeks"] < TENURE_WEEKS]
              for f in features_over(known, as_of_dates, dpia_reference=dpia_reference)]
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class LabelSetting:
    label_day: int
    unknown_reasons: str
    grace_days: int
    structured_since: pd.Timestamp | None


def landmark_frame(
    history: dict[str, pd.DataFrame] | Known, as_of_dates: Iterable[object], *, horizon: str | None = "13w",
    label_date: object = None, unknown_reasons: str = DEFAULT_STRATEGY, grace_days: int = GRACE_DAYS,
    structured_since: object = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Landmark rows with `uitval_13w`, `uitval_52w`, `weight`, and per horizon `label_known_at_13w`
    and `label_known_at_52w`, keeping only rows whose `horizon` label is known on `label_date`
    (default: the last day in the history); `label_known_at` repeats the primary horizon's.

    `horizon=None` keeps every row with at least one label known, the other one <NA>: the frame a
    model with one booster per horizon trains on (each horizon then uses its own rows)."""
    if horizon is not None and horizon not in HORIZONS:
        raise ValueError(f"horizon must be one of {HORIZONS} or None, but was {horizon!r}")
    _, setting, rows = _rows(history, as_of_dates, label_date, unknown_reasons, grace_days, structured_since,
                                 features)
    windows = {h: _window(rows, h) for h in HORIZONS}
    classes = {h: _class_in(rows, close) for h, close in windows.items()}
    rows, classes, weight = _resolve(setting, rows, classes, primary=horizon or "13w")
    out = rows.drop(columns=_WORK_COLUMNS)
    label_day = setting.label_day
    usable = np.zeros(len(rows), dtype=bool)
    for h in HORIZONS:
        known_on = _known_on(rows, classes[h], _window(rows, h), setting.grace_days)
        label = pd.array(np.where(classes[h] == "uitval", 1, 0), dtype="Int8")
        if h == horizon:
            out["label_known_at"] = day_to_timestamp(known_on)
            usable |= known_on <= label_day
        else:  # not yet known on T, or resting on an unknown reason the strategy left as is
            label[(known_on > label_day) | (classes[h] == "unknown")] = pd.NA
            usable |= (horizon is None) & ~pd.isna(label)
        out[f"uitval_{h}"] = label
        out[f"label_known_at_{h}"] = day_to_timestamp(known_on)
    out["weight"] = weight
    return _where(out, usable)


def person_period_frame(
    history: dict[str, pd.DataFrame] | Known, as_of_dates: Iterable[object], *, label_date: object = None,
    unknown_reasons: str = DEFAULT_STRATEGY, grace_days: int = GRACE_DAYS, structured_since: object = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per placement-week in tenure weeks 0..51: features as of the weekly as-of date a
    and `event` in (a, a + 7 days] (capped at start + 363): 0 none, 1 uitval, 2 neutral."""
    _, setting, rows = _rows(history, as_of_dates, label_date, unknown_reasons, grace_days, structured_since,
                                 features)
    close = np.minimum(rows["_as_of_day"].to_numpy() + 7, rows["_start_day"].to_numpy() + 7 * TENURE_WEEKS - 1)
    classes = {"week": _class_in(rows, close)}
    rows, classes, weight = _resolve(setting, rows, classes, primary="week")
    close = np.minimum(rows["_as_of_day"].to_numpy() + 7, rows["_start_day"].to_numpy() + 7 * TENURE_WEEKS - 1)
    known_on = _known_on(rows, classes["week"], close, setting.grace_days)
    out = rows.drop(columns=_WORK_COLUMNS)
    out["event"] = pd.Series(classes["week"]).map(EVENT_CODES).to_numpy(np.int8)
    out["weight"] = weight
    out["label_known_at"] = day_to_timestamp(known_on)
    return _where(out, known_on <= setting.label_day)


def _where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """The rows where `mask` holds, numbered from 0, as a new frame: one copy of a wide frame, where a boolean
    filter and reset_index copy it twice."""
    rows = frame.take(np.flatnonzero(mask))
    rows.index = pd.RangeIndex(len(rows))
    return rows


_WORK_COLUMNS = ["_as_of_day", "_start_day", "_end_day", "_end_class", "_end_known", "_registration"]


def _rows(history: dict[str, pd.DataFrame] | Known, as_of_dates: Iterable[object], label_date: object,
          unknown_reasons: str, grace_days: int, structured_since: object, features: pd.DataFrame | None
          ) -> tuple[Known, Any, pd.DataFrame]:
    check_strategy(unknown_reasons)
    known = history if isinstance(history, Known) else prepare(history)
    if label_date is None:
        label_date = max(f["registered_at"].max() for f in known.tables.values())
    label_day = as_of_day(label_date)
    if features is None:
        dates = [d for d in pd.DatetimeIndex(as_of_dates) if as_of_day(d) <= label_day]
        features = weekly_features(known, dates)
    since = pd.Timestamp(structured_since) if structured_since is not None else None
    setting = LabelSetting(label_day, unknown_reasons, grace_days, since)
    # The work columns are computed for every row first, so the wide feature frame is copied once (the rows
    # known on the label date and still at risk), not once per step: those copies were a tenth of `lks train`.
    as_of = day_number(features["as_of"])
    outcome = outcomes_known(known, label_day).reindex(features["placement_id"].to_numpy())
    ended = outcome["event"].ne("censored").to_numpy() & outcome["event"].notna().to_numpy()
    end_day = np.where(ended, day_number(outcome["end_date"].reset_index(drop=True)), np.nan)
    keep = (as_of <= label_day) & ~(end_day <= as_of)
    rows = _where(features, keep)
    rows["_as_of_day"] = as_of[keep]
    rows["_start_day"] = day_number(outcome["start_date"].reset_index(drop=True))[keep]
    rows["_end_day"] = end_day[keep]
    rows["_end_class"] = np.where(ended, outcome["event"].astype(object).to_numpy(), "none")[keep]
    rows["_end_known"] = day_number(outcome["known_at"].reset_index(drop=True))[keep]
    rows["_registration"] = outcome["registration"].to_numpy(object)[keep]
    return known, setting, rows


def _window(rows: pd.DataFrame, horizon: str) -> np.ndarray:
    """The last day of the label window of each row."""
    year_end = np.asarray(rows["_start_day"].to_numpy() + 7 * TENURE_WEEKS - 1)
    if horizon == "52w":
        return year_end
    return np.asarray(np.minimum(rows["_as_of_day"].to_numpy() + HORIZON_DAYS[horizon], year_end))


def _class_in(rows: pd.DataFrame, close: np.ndarray) -> np.ndarray:
    """The ending's class when it falls in (as_of, close], else 'none'."""
    inside = rows["_end_day"].to_numpy() <= close
    return np.where(inside, rows["_end_class"].to_numpy(object), "none")


def _known_on(rows: pd.DataFrame, classes: np.ndarray, close: np.ndarray, grace_days: int) -> np.ndarray:
    """A row is usable once its window has closed plus the grace period, whatever its label: admitting
    an ending as soon as it is registered, while a row without one waits for its window to close,
    would fill the latest weeks of every training frame with positives (selection on the outcome).
    An ending registered even later moves the date to its registration."""
    closed = close + grace_days
    return np.where(classes != "none", np.maximum(rows["_end_known"].to_numpy(), closed), closed).astype(np.int64)


def _resolve(setting: LabelSetting, rows: pd.DataFrame, classes: Classes, primary: str) -> Resolved:
    return resolve(rows, classes, strategy=setting.unknown_reasons, primary=primary,
                   structured_since=setting.structured_since)


def unknown_reason_estimate(history: dict[str, pd.DataFrame] | Known,
                            as_of_dates: pd.DatetimeIndex | np.ndarray | list[pd.Timestamp], *,
                            label_date: date | str | pd.Timestamp | None = None,
                            features: pd.DataFrame | None = None, n_boot: int = 200, seed: int = 0) -> UnknownEstimate:
    """What the unknown endings known on `label_date` were (`unknown_reasons.estimate_unknown`),
    each ending described by its last landmark among `as_of_dates` before it."""
    _, _, rows = _rows(history, as_of_dates, label_date, DEFAULT_STRATEGY, GRACE_DAYS, None, features)
    return estimate_unknown(rows, n_boot=n_boot, seed=seed)
