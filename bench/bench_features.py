"""Time and peak memory (max RSS; tracemalloc would slow pandas several-fold) to build all weekly
landmark and person-period frames for the default simulated municipality.
`python bench/bench_features.py [--export DIR]`."""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd

from lks.data_contracts.validate import validate_export
from lks.features.frames import landmark_frame, mondays, person_period_frame, weekly_features
from lks.features.known import prepare


def load_history(export: Path | None) -> dict[str, pd.DataFrame]:
    if export is None:
        from lks.simulator import simulate

        export = Path(tempfile.mkdtemp(prefix="lks-bench-")) / "export"
        simulate(export, seed=7, fmt="parquet")
    return validate_export(export).tables


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--export", type=Path, default=None, help="an export folder (default: simulate one)")
    args = parser.parse_args()
    history = load_history(args.export)
    label_date = max(frame["registered_at"].max() for frame in history.values()).normalize()
    dates = mondays(label_date - pd.Timedelta(weeks=200), label_date)
    print(f"history: {', '.join(f'{t} {len(f):,}' for t, f in history.items())}; {len(dates)} weekly dates")

    t0 = time.perf_counter()
    known = prepare(history)
    t1 = time.perf_counter()
    features = weekly_features(known, dates)
    t2 = time.perf_counter()
    frames = {
        strategy: landmark_frame(known, dates, label_date=label_date, unknown_reasons=strategy, features=features)
        for strategy in ("structured_only", "as_uitval", "weighted", "exclude")
    }
    t3 = time.perf_counter()
    survival = person_period_frame(known, dates, label_date=label_date, features=features)
    t4 = time.perf_counter()

    per_date = features.groupby("as_of").size()
    print(f"prepare history:            {t1 - t0:6.2f} s")
    print(f"features, all dates:        {t2 - t1:6.2f} s  ({len(features):,} rows x {features.shape[1]} columns, "
          f"{per_date.mean():,.0f} active per date, {1000 * (t2 - t1) / len(dates):.1f} ms per date)")
    for strategy, frame in frames.items():
        print(f"  landmark 13w {strategy:<16} {len(frame):>9,} rows, uitval_13w rate {frame['uitval_13w'].mean():.3f}")
    print(f"landmark frames, 4 strategies: {t3 - t2:6.2f} s")
    print(f"person-period frame:        {t4 - t3:6.2f} s  ({len(survival):,} rows)")
    print(f"total:                      {t4 - t0:6.2f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of the process, history included): {rss:,.0f} MiB")


if __name__ == "__main__":
    main()
