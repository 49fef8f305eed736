"""Scenarios: loading and validation, the default unchanged, and each scenario doing what it says.

Worlds here are small (as_of in 2019..2022, a few hundred to 1,300 placements, 1-3 s each); the
full-scale checksum runs are marked slow. A scenario whose date lies in 2025 is moved into the
small world with `dataclasses.replace`: the mechanism is tested, the YAML holds the data.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lks.simulator import dynamics, model, oracle, population, scenarios, simulate
from lks.simulator.population import day

SHIPPED = ("default", "mnar-neutral", "mnar-uitval", "weak-signals", "drift", "young")

# sha256 of every file simulate() wrote with the code on `main` before scenarios existed
# (commit 8bd0a0d). truth/scenario.yaml is new and not part of the comparison. The Parquet files
# carry the pyarrow version in their metadata: after a pyarrow upgrade these may need recomputing
# (with the code of 8bd0a0d), while the CSV checksums must never change. The five exported Parquet files of
# the "parquet" case were recomputed once, when the contract's one coercion (`data_contracts.schemas.coerce`)
# began writing dates as datetime64[ns] as the schema declares (they were [ms]/[s]); their values are the same.
BEFORE = {
    "small": ({"seed": 7, "as_of": date(2019, 6, 30)}, {
        "employers.csv": "7ee354d82a192404889a8ba4d4f046327688752719513c2c44f0e9666def08eb",
        "endings.csv": "9ca7e216ee67f34b1f7da182841a441a0cab404bbfdc47afe6cd8d1e66332b31",
        "events.csv": "8d02e36d9c2e6f5b3b03eb07baabc4aff1b6a5bcea741b0e7a2ececd502399ed",
        "persons.csv": "c8cdf05bd4d4ec7527bc01a1a66bb5117683a4a84264aab9b24750de625fbea2",
        "placements.csv": "79a315b2dd3718d687e233f2134a192a14594b0ba60698af1648e195f577930b",
        "truth/endings.parquet": "23f142d041741f4855a0684f44ca2409a88a3a9e4ca792d9d995d54ec0bc6824",
        "truth/faults.csv": "b67393a50384ffff435de2607c08c92ff4079857c8239f92f3e62174c7dfa9a1",
        "truth/hazards.parquet": "10db4ed57e6983814f5493dab96bf0949072d04cd9442ceafe8697a7969681f2",
        "truth/latent.parquet": "cc063f1ebccff9d831220d83400a3e17286befe819ce02f0b26fe22f0cbd0b35",
        "truth/risk.parquet": "3b3fa7a2db1e9e00c6219f4f712d02b03d7b7f85e78d91b1e1d80a009759854f",
    }),
    "faults": ({"seed": 3, "as_of": date(2020, 3, 15), "faults": 0.05}, {
        "employers.csv": "7e00fe1aa4393b1acf7d4d53036128b22f196bccf041024e40ed9d1422f01442",
        "endings.csv": "f815888435bf0db41fcf7f2b218888fc97f5cbbbaa114f89392698d0cfa99275",
        "events.csv": "050c586d246ee7eeb61c4f33919fe285115f4d11541161936b23ac7a2f8ec6c3",
        "persons.csv": "213f66b698fb9e401d3575fd1dc629c9f38e77fd3d6ec2f87362dd22e94305c8",
        "placements.csv": "9b1fdcb2cb9c12c39f8110488ea5aa9ef23dc59e79d67c44a58c378a6ec695ba",
        "truth/endings.parquet": "a766a532139c45282e6d52ec956175949495924c9a57f8d0ceaed148754bd39c",
        "truth/faults.csv": "c102fff55784fd6e625adcd8c567b9765338aca13df3518671c8972e178078bd",
        "truth/hazards.parquet": "b3d0ba0daf15fe3be9b37f1c3a68fe861074585a989af18df9b93cbd424be7b3",
        "truth/latent.parquet": "43958a3c315cb5c3f9bcf58ed5dcfac0aa128513e97755e031a65d2ed90e3e2c",
        "truth/risk.parquet": "ca5387b105d8c254628f4195b2ee23f19307529a647685f1504a2f80d9fd4523",
    }),
    "parquet": ({"seed": 5, "as_of": date(2019, 6, 30), "fmt": "parquet"}, {
        "employers.parquet": "fac157ea50f5d7894f0d0e4fb430ccb3d65bae49c7ff6d9e5549c27cb301f75a",
        "endings.parquet": "4598038fc7c77436c082b11ed67ebd62b8e90a03a08f0c567b6ba65053d2c7a7",
        "events.parquet": "2abb74ab67b8431aeb51f38403d88c6371c6c7094ebfc293f285b32984288525",
        "persons.parquet": "f1a5c9516de9d4b8f6b47aeabed8fb2d944065dfac4ec5c689bd903dd547cdda",
        "placements.parquet": "29b7e29919552479ebb9a24e0edabd9fe6b750ef1e229bdf2ace7cec7fe71074",
        "truth/endings.parquet": "f223c1147dff93168e9d0eb2b89cc8507ad85a26c65419f644a8af6b7bbfe3c4",
        "truth/faults.csv": "b67393a50384ffff435de2607c08c92ff4079857c8239f92f3e62174c7dfa9a1",
        "truth/hazards.parquet": "736f606eab7d2e717b5373c651058ad871fac76b340a06ecc783b39ac78e92b1",
        "truth/latent.parquet": "b5c5eb9d90b120e712e64027dd48a31f5090f1da66b0dd2a361792acb4f5f235",
        "truth/risk.parquet": "92ed4da626feaba5a45d633d05fec24b5d1b65bae9dd7949589f0ed481ee22dd",
    }),
    "structured-era": ({"seed": 11, "as_of": date(2025, 8, 1)}, {
        "employers.csv": "5f36b49be0d596deb836a9aaa44181871c172b467491f443e875c99c8417566e",
        "endings.csv": "f69426bdb20354d090fde9d988d5da41eb83a97eb32bf5f41cd41db65ee8c799",
        "events.csv": "88d7e21f9cf1380ebc31faf475f0ffceeea5575c81ea3ac30186113a3409502c",
        "persons.csv": "c3384c268253991aa7e5e01974bee342ada8d97b4e61d7d9df93b8272fc9cf1a",
        "placements.csv": "6ccc6bd4f00fef6af2fc894282d1192e74a63e777c444b15f7c59449a05fc95a",
        "truth/endings.parquet": "c10ab1b38d497e0990f27fcb71187fadda158dc3a5a2457d8a260185b987076d",
        "truth/faults.csv": "b67393a50384ffff435de2607c08c92ff4079857c8239f92f3e62174c7dfa9a1",
        "truth/hazards.parquet": "cbbd4f0544d673abda8340f2505c4784e7cf9038238ace4c0f9fa1113542c51f",
        "truth/latent.parquet": "5ff7dac6ae635e8398cc7460360c297ff4c247ef0630ca396a16da2aa34099a6",
        "truth/risk.parquet": "380cf067c80723b3af9355e3ddbbf6fcdac8a33347ab1cd5b0300c9b675ec5c8",
    }),
    "default": ({"seed": 7}, {
        "employers.csv": "75fbf6819409afb5a93295e9ceaf307f9ef223637527442b10b6ddfcefef6dce",
        "endings.csv": "b895630eb9e0425b2b23d38d3fcc8f0e277851f262e2fe2fe634a2b7b47d7519",
        "events.csv": "3e764cc556c975f265b0f09616bed29a74ba33dbc524bdb41ac2fa138b557116",
        "persons.csv": "6f6702ac008728a5a7d523d911c6d36dd75246ee4e036f872a17066113b7a106",
        "placements.csv": "3e6e67a768d2bad0b59c1f420417a2c6c9ba2e8d5ecefba4781434e245d60b96",
        "truth/endings.parquet": "132705a694886ddcf03dc1ba3fb2683721769f3fcd86f54c7d368ed094c5fa45",
        "truth/faults.csv": "b67393a50384ffff435de2607c08c92ff4079857c8239f92f3e62174c7dfa9a1",
        "truth/hazards.parquet": "78086880bcc360e166d6520b85dcd6d85b2cbd67c3bb7af184d1b0e6b64a78b5",
        "truth/latent.parquet": "3ea559721caa37d78ce79309022df4233976fc834aea33b740d3133e09a659f7",
        "truth/risk.parquet": "b8c0fcd148f4a4d66f8ed4069b4617eaafdd9a3aa7efc208dc0a26fde103bab6",
    }),
}


def _checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _shipped_document() -> dict:
    return yaml.safe_load((Path(scenarios.__file__).parent / "scenarios.yaml").read_text())


def _drift_from(day_: date) -> scenarios.Scenario:
    """The shipped drift scenario, its date moved into a small world."""
    drift = scenarios.load("drift")
    return dataclasses.replace(drift, drift=dataclasses.replace(drift.drift, from_=day_))


# --- loading and validation -------------------------------------------------------------------

def test_the_shipped_scenarios_load_and_default_is_todays_assumptions():
    assert set(SHIPPED) <= set(scenarios.scenario_names())
    default = scenarios.load()
    assert default.name == "default"
    assert default.registration.legacy_unknown_uitval == default.registration.legacy_unknown_neutral == 0.78
    assert default.signals.strength == 1.0
    assert default.drift.from_ is None and default.drift.uitval_hazard == 1.0
    assert default.history.years is None
    for name in SHIPPED:
        assert scenarios.load(name).description


def test_mnar_scenarios_record_legacy_reasons_unequally_in_both_directions():
    neutral, uitval = scenarios.load("mnar-neutral").registration, scenarios.load("mnar-uitval").registration
    assert 1 - neutral.legacy_unknown_neutral > 1 - neutral.legacy_unknown_uitval
    assert 1 - uitval.legacy_unknown_uitval > 1 - uitval.legacy_unknown_neutral


def test_a_scenario_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenarios.load().name = "other"  # type: ignore[misc]


def test_an_unknown_scenario_name_is_refused_with_the_names_there_are():
    with pytest.raises(ValueError, match=r"unknown scenario 'mnar'.*default"):
        scenarios.load("mnar")


@pytest.mark.parametrize(("where", "change", "message"), [
    ("scenario", {"legacy_unknown": 0.5}, r"scenario 'mnar-neutral': unknown key\(s\) \['legacy_unknown'\]"),
    ("registration", {"legacy_unknown": 0.5},
     r"mnar-neutral'.registration: unknown key\(s\) \['legacy_unknown'\]"),
    ("registration", {"legacy_unknown_uitval": 1.5}, r"legacy_unknown_uitval must be between 0.0 and 1.0"),
    ("registration", {"legacy_unknown_uitval": "veel"}, r"legacy_unknown_uitval must be a number"),
    ("drift", {"from": "juli"}, r"drift.from must be a date"),
    ("history", {"years": 2, "first_start": date(2023, 9, 1)}, r"history: set years or first_start, not both"),
])
def test_a_bad_scenario_is_refused_with_a_clear_message(where, change, message):
    doc = _shipped_document()
    spec = doc["scenarios"]["mnar-neutral"]
    target = spec if where == "scenario" else spec.setdefault(where, {})
    target.update(change)
    with pytest.raises(ValueError, match=message):
        scenarios.parse(doc)


def test_a_document_without_default_or_with_another_version_or_incomplete_base_is_refused():
    doc = _shipped_document()
    scenarios.parse(copy.deepcopy(doc))           # the shipped file itself is fine
    no_default = copy.deepcopy(doc)
    del no_default["scenarios"]["default"]
    with pytest.raises(ValueError, match="default"):
        scenarios.parse(no_default)
    other = dict(copy.deepcopy(doc), version=2)
    with pytest.raises(ValueError, match="version must be 1"):
        scenarios.parse(other)
    short = copy.deepcopy(doc)
    del short["base"]["signals"]["strength"]
    with pytest.raises(ValueError, match=r"base.signals must hold exactly"):
        scenarios.parse(short)


def test_truth_records_the_scenario_used(tmp_path):
    chosen = scenarios.load("mnar-uitval")
    simulate(tmp_path, seed=1, as_of=date(2018, 6, 30), scenario=chosen)
    written = yaml.safe_load((tmp_path / "truth" / "scenario.yaml").read_text())
    assert written["name"] == "mnar-uitval" and written["version"] == scenarios.VERSION
    assert written["registration"] == dataclasses.asdict(chosen.registration)
    assert written["drift"]["from"] is None


# --- default: byte-identical to the code before scenarios -------------------------------------

@pytest.mark.parametrize("run", [
    "small", "faults", "parquet",
    pytest.param("structured-era", marks=pytest.mark.slow),
    pytest.param("default", marks=pytest.mark.slow),
])
def test_default_scenario_writes_exactly_what_the_code_wrote_before(tmp_path, run):
    kwargs, before = BEFORE[run]
    simulate(tmp_path, **kwargs)
    now = _checksums(tmp_path)
    assert set(now) == set(before) | {"truth/scenario.yaml"}
    changed = sorted(name for name in before if now[name] != before[name])
    assert not changed, f"files that differ from before scenarios existed: {changed}"


# --- missing not at random --------------------------------------------------------------------

def _recorded_share_by_class(folder: Path) -> pd.Series:
    """Among legacy endings in the export: the share with a reason other than onbekend, per true class."""
    end = pd.read_csv(folder / "endings.csv")
    true = pd.read_parquet(folder / "truth" / "endings.parquet")
    legacy = end[end["registration"] == "legacy"].merge(true, on="placement_id", validate="1:1")
    return (legacy["reason_code"] != "onbekend").groupby(legacy["true_class"]).mean()


@pytest.fixture(scope="module")
def mnar_shares(tmp_path_factory) -> dict[str, pd.Series]:
    out = {}
    for name in ("mnar-neutral", "mnar-uitval"):
        folder = tmp_path_factory.mktemp(name)
        simulate(folder, seed=5, as_of=date(2022, 6, 30), scenario=scenarios.load(name))
        out[name] = _recorded_share_by_class(folder)
    return out


@pytest.mark.parametrize(("name", "more", "less"), [
    ("mnar-neutral", "neutral", "uitval"),
    ("mnar-uitval", "uitval", "neutral"),
])
def test_mnar_records_legacy_reasons_more_often_for_one_class(mnar_shares, name, more, less):
    share = mnar_shares[name]
    reg = scenarios.load(name).registration
    target = {"uitval": 1 - reg.legacy_unknown_uitval, "neutral": 1 - reg.legacy_unknown_neutral}
    assert share[more] - share[less] > 0.2, f"{name}: recorded shares {share.to_dict()}"
    for cls in ("uitval", "neutral"):
        assert abs(share[cls] - target[cls]) < 0.08, f"{name}: {cls} recorded {share[cls]:.3f}, set {target[cls]}"


# --- weak signals -----------------------------------------------------------------------------

def test_weak_signals_move_every_emission_towards_a_state_independent_average():
    today, weak, none = dynamics.emissions(1.0), dynamics.emissions(0.35), dynamics.emissions(0.0)
    assert today.rating is dynamics.RATING and today.sick is dynamics.SICK_RATE
    np.testing.assert_allclose(weak.rating.sum(axis=1), 1.0)
    for field in ("rating", "sick", "signal", "hours", "coach", "muni"):
        spread = {s: np.ptp(getattr(e, field), axis=0).max() for s, e in (("1", today), ("w", weak), ("0", none))}
        assert spread["0"] < 1e-12 < spread["w"] < spread["1"], field


def test_weak_signals_world_rates_contacts_less_by_state(tmp_path):
    """A `zorgelijk` rating says less about a crisis week: measured on the truth (latent state)."""
    lift = {}
    for name in ("default", "weak-signals"):
        rng = np.random.default_rng(2)
        chosen = scenarios.load(name)
        pop = population.build(rng, "rotterdam", date(2020, 6, 30), chosen)
        hist = dynamics.simulate_weeks(rng, pop, model.static_effects(pop.placements), date(2020, 6, 30), chosen)
        ev = hist.events
        contact = np.isin(ev["type"], [dynamics.EV["jobcoach_contact"], dynamics.EV["municipality_contact"]])
        contact &= ev["week"] <= 52
        state = hist.states[ev["placement"][contact], ev["week"][contact]]
        worried = ev["text"][contact] == 2
        lift[name] = worried[state == 2].mean() - worried[state == 0].mean()
    assert lift["weak-signals"] < 0.5 * lift["default"], lift


# --- drift ------------------------------------------------------------------------------------

def test_drift_factor_applies_from_its_date_only():
    d = day(date(2025, 7, 1))
    assert model.drift_factor(None, 1.3, np.array([d])) == 1.0
    np.testing.assert_array_equal(model.drift_factor(d, 1.3, np.array([d - 1, d, d + 70])), [1.0, 1.3, 1.3])


@pytest.fixture(scope="module")
def drift_worlds():
    """Same seed and small world, default and drift (from 2019-07-01)."""
    as_of, worlds = date(2019, 12, 31), {}
    for name, chosen in (("default", scenarios.load()), ("drift", _drift_from(date(2019, 7, 1)))):
        rng = np.random.default_rng(4)
        pop = population.build(rng, "rotterdam", as_of, chosen)
        effects = model.static_effects(pop.placements)
        hist = dynamics.simulate_weeks(rng, pop, effects, as_of, chosen)
        worlds[name] = (chosen, pop, effects, hist)
    return worlds


def _hazard_after_over_before(pop, hist, drift_day: int, days: int = 42) -> float:
    hz = hist.hazards
    week_day = pop.placements["start"][hz["placement"]] + 7 * hz["week"].astype(int)
    after = (week_day >= drift_day) & (week_day < drift_day + days)
    before = (week_day < drift_day) & (week_day >= drift_day - days)
    return float(hz["hazard_uitval"][after].mean() / hz["hazard_uitval"][before].mean())


def test_drift_raises_the_uitval_hazard_after_its_date(drift_worlds):
    chosen = drift_worlds["drift"][0]
    drift_day = day(chosen.drift.from_)
    ratio = {name: _hazard_after_over_before(w[1], w[3], drift_day) for name, w in drift_worlds.items()}
    assert 1.15 < ratio["drift"] / ratio["default"] < 1.6, ratio


def test_the_oracle_knows_the_drift(drift_worlds):
    chosen, pop, effects, hist = drift_worlds["drift"]
    as_of_day = day(date(2019, 12, 31))
    with_drift = oracle.exact_risk(pop, effects, hist, as_of_day, chosen)
    without = oracle.exact_risk(pop, effects, hist, as_of_day, scenarios.load())
    horizon_end = with_drift["as_of"] + pd.Timedelta(days=91)
    untouched = horizon_end < pd.Timestamp(chosen.drift.from_)
    assert untouched.any() and (~untouched).any()
    np.testing.assert_allclose(with_drift.loc[untouched, "p_uitval_13w"], without.loc[untouched, "p_uitval_13w"])
    assert (with_drift["p_uitval_13w"] >= without["p_uitval_13w"] - 1e-12).all()
    drifted = with_drift["as_of"] >= pd.Timestamp(chosen.drift.from_)
    assert drifted.any()
    assert (with_drift.loc[drifted, "p_uitval_13w"] > without.loc[drifted, "p_uitval_13w"]).all()


def test_drift_shifts_the_mix_of_new_placements(drift_worlds):
    gap = {}
    for name, (_, pop, _, _) in drift_worlds.items():
        p = pop.placements
        new = p["start"] >= day(date(2019, 7, 1))
        regular = p["employer_type_code"] == 0
        gap[name] = (
            (p["size_code"][new & regular] <= 1).mean() - (p["size_code"][~new & regular] <= 1).mean(),
            p["wage_value_pct"][new].mean() - p["wage_value_pct"][~new].mean(),
        )
    assert gap["drift"][0] > gap["default"][0] + 0.05, gap
    assert gap["drift"][1] < gap["default"][1] - 4, gap


# --- young ------------------------------------------------------------------------------------

def test_young_has_no_placement_starting_before_its_history(tmp_path):
    young = scenarios.load("young")
    as_of = date(2025, 9, 1)
    summary = simulate(tmp_path, seed=8, as_of=as_of, scenario=young)
    starts = pd.to_datetime(pd.read_csv(tmp_path / "placements.csv")["start_date"])
    first_allowed = pd.Timestamp(young.history.first_start)
    assert first_allowed == pd.Timestamp(as_of) - pd.DateOffset(years=2)  # two years before the first training date
    assert summary["placements_rows"] > 100
    assert starts.min() >= first_allowed
    assert starts.min() < first_allowed + pd.Timedelta(days=31)


def test_history_can_start_on_a_fixed_date_and_a_scenario_can_be_named(tmp_path):
    young = scenarios.load("young")
    fixed = dataclasses.replace(young, history=scenarios.History(years=None, first_start=date(2018, 3, 1)))
    simulate(tmp_path / "fixed", seed=8, as_of=date(2019, 6, 30), scenario=fixed)
    starts = pd.to_datetime(pd.read_csv(tmp_path / "fixed" / "placements.csv")["start_date"])
    assert starts.min() >= pd.Timestamp("2018-03-01")
    simulate(tmp_path / "named", seed=8, as_of=date(2018, 6, 30), scenario="mnar-uitval")
    assert "name: mnar-uitval" in (tmp_path / "named" / "truth" / "scenario.yaml").read_text()
