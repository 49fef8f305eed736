"""Calibration of the endings and the causes acting in the true hazard."""

import numpy as np
import pandas as pd
import pytest

from tests.simulator.conftest import AS_OF

pytestmark = pytest.mark.slow  # the default (Rotterdam-scale) simulation, run once per session

END_OF_DAY = pd.Timestamp(AS_OF)


def _tenure_days(df: pd.DataFrame) -> pd.Series:
    return (df["end_date"] - df["start_date"]).dt.days


def test_active_on_2025_06_30_between_1500_and_1900(joined):
    d = pd.Timestamp("2025-06-30")
    active = (joined["start_date"] <= d) & ~(joined["end_date"] <= d)
    assert 1500 <= active.sum() <= 1900, f"active LKS placements on {d.date()}: {active.sum()}"


def test_with_three_years_follow_up_most_endings_fall_in_first_year(joined):
    followed = joined[joined["start_date"] <= END_OF_DAY - pd.Timedelta(days=3 * 365)]
    days = _tenure_days(followed)
    ended = followed["end_date"].notna()
    first_year = (days < 364).sum() / ended.sum()
    within = (days < 364).mean()
    assert first_year > 0.5, f"share of endings in the first 52 weeks: {first_year:.3f}"
    assert 0.30 <= within <= 0.50, f"share of placements ending within 52 weeks: {within:.3f}"


def test_empirical_hazard_falls_with_tenure(joined):
    weeks = (joined["end_date"].fillna(END_OF_DAY) - joined["start_date"]).dt.days // 7
    ended = joined["end_date"].notna()
    rates = []
    for lo, hi in [(0, 13), (13, 26), (26, 52), (52, 104)]:
        at_risk = np.clip(weeks - lo + 1, 0, hi - lo).sum()
        rates.append(((weeks >= lo) & (weeks < hi) & ended).sum() / at_risk)
    assert rates == sorted(rates, reverse=True), f"weekly hazard by tenure band: {np.round(rates, 4)}"


def test_most_endings_are_uitval(truth):
    share = (truth["endings"]["true_class"] == "uitval").mean()
    assert 0.55 <= share <= 0.75, f"uitval share of true endings: {share:.3f}"


def _mean_hazard(truth, joined, mask: pd.Series) -> float:
    ids = joined.loc[mask, "placement_id"]
    hz = truth["hazards"]
    early = hz[(hz["week"] < 52) & hz["placement_id"].isin(ids)]
    return float(early["hazard_uitval"].mean())


def test_causes_raise_the_true_hazard(truth, joined):
    j = joined
    groups = {
        "poor match": (j["match_quality"] < -1, j["match_quality"] > 0),
        "jobcoach < 4 h/month": (j["jobcoach_hours_per_month"] < 4, j["jobcoach_hours_per_month"] >= 8),
        "size 1-9": (j["size_class"] == "1-9", j["size_class"] != "1-9"),
        "debts": (j["debt_problems"], ~j["debt_problems"]),
        "health": (j["health_limitation"], ~j["health_limitation"]),
        "poor employer": (j["employer_quality"] < -0.4, j["employer_quality"] > 0.4),
    }
    for name, (worse, better) in groups.items():
        hi, lo = _mean_hazard(truth, j, worse), _mean_hazard(truth, j, better)
        assert hi > 1.1 * lo, f"{name}: mean weekly uitval hazard {hi:.4f} vs {lo:.4f}"


def test_warning_signs_come_with_a_higher_hazard(export, truth):
    ev = export["events"].merge(export["placements"][["placement_id", "start_date"]], on="placement_id")
    ev["week"] = (ev["event_date"] - ev["start_date"]).dt.days // 7
    warning = (ev["event_type"] == "sick_report") | (ev["value_text"] == "zorgelijk")
    warned = ev.loc[warning, ["placement_id", "week"]].drop_duplicates()
    hz = truth["hazards"].astype({"placement_id": str})
    flagged = hz.merge(warned, on=["placement_id", "week"], how="left", indicator=True)
    with_sign = flagged.loc[flagged["_merge"] == "both", "hazard_uitval"].mean()
    without = flagged.loc[flagged["_merge"] == "left_only", "hazard_uitval"].mean()
    assert with_sign > 1.5 * without, f"hazard in weeks with a warning {with_sign:.4f} vs {without:.4f}"


def test_employers_with_earlier_early_endings_lose_more(joined, truth):
    j = joined.sort_values("start_date")
    early = (j["true_class"] == "uitval") & ((j["true_end_date"] - j["start_date"]).dt.days < 182)
    rows = []
    for _, grp in j.groupby("employer_id"):
        if len(grp) < 4:
            continue
        e = early[grp.index]
        ends = grp["true_end_date"]
        for i in range(3, len(grp)):
            before = grp.iloc[:i]
            known = (ends.iloc[:i] < grp["start_date"].iloc[i]) & e.iloc[:i]
            rows.append((grp["placement_id"].iloc[i], known.sum() / len(before)))
    share = pd.DataFrame(rows, columns=["placement_id", "earlier_early_share"])
    many = j["placement_id"].isin(share.loc[share["earlier_early_share"] >= 0.3, "placement_id"])
    none = j["placement_id"].isin(share.loc[share["earlier_early_share"] == 0, "placement_id"])
    hi, lo = _mean_hazard(truth, j, many), _mean_hazard(truth, j, none)
    assert hi > 1.1 * lo, f"hazard at employers with many earlier early endings {hi:.4f} vs {lo:.4f}"


def test_interventions_protect(export, truth):
    ev = export["events"].merge(export["placements"][["placement_id", "start_date"]], on="placement_id")
    iv = ev[ev["event_type"] == "intervention"].copy()
    iv["week"] = (iv["event_date"] - iv["start_date"]).dt.days // 7
    hz = truth["hazards"].astype({"placement_id": str}).merge(
        iv[["placement_id", "week"]].rename(columns={"week": "iv_week"}), on="placement_id")
    since = hz["week"] - hz["iv_week"]
    before = hz.loc[since.between(-4, 0), "hazard_uitval"].mean()
    after = hz.loc[since.between(1, 12), "hazard_uitval"].mean()
    assert after < 0.9 * before, f"hazard before an intervention {before:.4f}, after {after:.4f}"


def test_uitval_differs_by_language_level(joined):
    followed = joined[joined["start_date"] <= END_OF_DAY - pd.Timedelta(days=400)]
    days = (followed["true_end_date"] - followed["start_date"]).dt.days
    uitval52 = (followed["true_class"] == "uitval") & (days < 364)
    rate = uitval52.groupby(followed["dutch_language_level"]).mean()
    gap = rate["onvoldoende"] - rate["voldoende"]
    assert gap > 0.02, f"uitval before week 52 by language level: {rate.round(3).to_dict()}"


def test_warning_signs_warn(export, truth):
    """Today's practice, from the export alone: a sick report or a `zorgelijk` contact registered
    in the 4 weeks before a Monday goes with more uitval in the next 13 weeks (true endings)."""
    pl = export["placements"][["placement_id", "registered_at"]]
    ev = export["events"]
    warning = ev[(ev["event_type"] == "sick_report") | (ev["value_text"] == "zorgelijk")]
    ends = truth["endings"].set_index("placement_id")
    flagged, rates = [], []
    for monday in pd.date_range("2024-01-01", "2025-08-25", freq="7D"):
        known = monday + pd.Timedelta(days=1)
        active = pl.loc[pl["registered_at"] < known, "placement_id"]
        end = active.map(ends["end_date"])
        active = active[~(end <= monday)]
        end = end[active.index]
        seen = warning[(warning["registered_at"] < known)
                       & (warning["event_date"] > monday - pd.Timedelta(days=28))]
        uitval = (active.map(ends["true_class"]) == "uitval") & (end <= monday + pd.Timedelta(days=91))
        flagged.append(active.isin(seen["placement_id"]).to_numpy())
        rates.append(uitval.to_numpy())
    flag, uitval = np.concatenate(flagged), np.concatenate(rates)
    with_sign, without = uitval[flag].mean(), uitval[~flag].mean()
    assert 0.05 < flag.mean() < 0.4, f"share of placement-weeks with a recent warning: {flag.mean():.3f}"
    assert with_sign > 1.5 * without, f"13-week uitval with a recent warning {with_sign:.3f}, without {without:.3f}"
