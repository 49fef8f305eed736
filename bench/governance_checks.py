"""The proxy test, the flip tests and the label audit by group on one simulated municipality.

Builds the weekly features from a fresh export (as `lks train` does), takes the backtest's test rows
(26 weekly test dates), and runs:
1. the proxy test on one row per placement, its first week (the inputs predicting each protected attribute);
2. the flip tests with a LightGBM candidate trained on what was known on the first test date (as the
   backtest trains it), one input at a time and the typical profiles of the groups of each attribute;
3. the label audit by group (endings counted over every placement, rows over the test dates).
Usage: python bench/governance_checks.py [SEED] [EXPORT]   (reuses EXPORT when given; ~10 minutes on two cores)
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from lks.data_contracts.ingest import ingest
from lks.data_contracts.store import history, make_engine
from lks.data_contracts.timeline import latest_versions
from lks.features.frames import mondays, weekly_features
from lks.features.known import prepare
from lks.simulator import simulate
from lks.training import flips, governance_config, label_audit, proxy
from lks.training.backtest import fit_candidate, model_features, training_frames, weekly_test_dates
from lks.training.candidates import CANDIDATES_BY_NAME, add_rule_signals
from lks.training.groups import AUDITED, PERSON_COLUMNS, with_groups
from lks.training.train import HISTORY_START

AS_OF = date(2026, 11, 22)
pd.set_option("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 90)


def persons_by_placement(hist) -> pd.DataFrame:
    placements = latest_versions(hist["placements"], "placements")[["placement_id", "person_id"]]
    persons = latest_versions(hist["persons"], "persons")
    return placements.merge(persons[["person_id", *PERSON_COLUMNS]], on="person_id").drop(columns="person_id")


def main(seed: int = 7, export: Path | None = None) -> None:
    config = governance_config.load()
    work = Path(tempfile.mkdtemp(prefix="lks-gov-"))
    if export is None:
        export = work / "export"
        simulate(export, seed=seed, as_of=AS_OF)
    engine = make_engine(f"sqlite:///{work / 'store.db'}")
    ingest(engine, export)
    hist = history(engine, AS_OF)
    known = prepare(hist)
    weekly = weekly_features(known, mondays(HISTORY_START, AS_OF))
    features = model_features(weekly)
    dates = weekly_test_dates(AS_OF, 26)
    test = weekly[weekly["as_of"].isin(dates)].reset_index(drop=True)
    persons = persons_by_placement(hist)
    print(f"{len(weekly):,} weekly rows, {len(test):,} test rows on {len(dates)} dates, {len(features)} inputs")

    start = time.time()
    per_placement = with_groups(proxy.one_per_placement(weekly), persons)
    table = proxy.proxy_test(per_placement, features, AUDITED, config.proxy)
    print(f"\nProxy test ({time.time() - start:.0f} s):")
    print(table.drop(columns=["groups_left_out"]).to_string(index=False))

    start = time.time()
    frames = training_frames(known, weekly, dates[0], "weighted")
    model = fit_candidate(CANDIDATES_BY_NAME["lightgbm"], frames, features)
    rows = add_rule_signals(test)
    risk = lambda frame: model.predict_risks(frame)["risk_52w"].to_numpy()  # noqa: E731
    moved = flips.flip_test(rows, features, risk, 25, config.flips)
    print(f"\nFlip test, one input at a time ({time.time() - start:.0f} s), the 15 inputs that move the risk most:")
    print(moved.drop(columns="values").head(15).to_string(index=False))
    grouped = with_groups(rows, persons)
    for attribute in AUDITED:
        carried = [t["input"] for t in table.set_index("attribute").loc[attribute, "top_inputs"]]
        swaps = flips.profile_swaps(rows, grouped[attribute], carried, risk, 25, config.flips)
        print(f"\nTypical profiles of {attribute} (inputs {', '.join(carried)}):")
        print(swaps.drop(columns="profile").to_string(index=False))

    start = time.time()
    audit = label_audit.label_audit(known, test, AS_OF, persons, placements_of=weekly)
    print(f"\nLabel audit by group ({time.time() - start:.0f} s):")
    print(audit.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7, Path(sys.argv[2]) if len(sys.argv) > 2 else None)
