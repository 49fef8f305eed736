import numpy as np
import pandas as pd
import pytest

from lks.features.catalog import catalog
from lks.models.bundle import additivity_gap, contributions_of
from lks.service.explanations import BY_KEY, OTHER, explain, explain_row, factor_contributions, factor_of
from tests.service.real_champion import features_frame


def test_every_catalog_feature_belongs_to_a_named_factor():
    every = catalog(special=True)  # a special input of a DPIA model is named, never hidden under "overig"
    assert {f.name: factor_of(f.name) for f in every if factor_of(f.name) == OTHER} == {}
    assert {factor_of(f.name) for f in every} <= set(BY_KEY)
    assert factor_of("sick_reports_4w") == "ziekmeldingen" and factor_of("jobcoach_hours_per_month") == "jobcoaching"


def test_an_input_outside_the_catalog_is_summed_under_other():
    assert factor_of("sick_reports_99w") == OTHER


@pytest.mark.slow
def test_factors_plus_base_value_add_up_to_the_raw_score(base, bundle):
    X = features_frame(base)
    risks = bundle.risks(X)
    assert additivity_gap(risks) < 1e-9
    factors = factor_contributions(contributions_of(risks))
    total = factors.sum(axis=1) + risks["base_value"]
    np.testing.assert_allclose(total, risks["raw_52w"], atol=1e-9)
    explanations = explain(X, contributions_of(risks), risks["base_value"], risks["raw_52w"])
    for row, e in zip(risks.itertuples(), explanations, strict=True):
        assert abs(e["raw_52w"] - row.raw_52w) < 1e-5 and len(e["raises"]) <= 3 and len(e["lowers"]) <= 3
        assert all(f["contribution"] > 0 for f in e["raises"]) and all(f["contribution"] < 0 for f in e["lowers"])


def values(**changes):
    v = {"sick_reports_4w": 2, "sick_reports_26w": 3, "currently_sick": 0, "employer_other_placements": 5,
         "employer_other_uitval": 3, "harrie_trained": 0, "jobcoach_hours_per_month": 8.0,
         "jobcoach_org_type": "extern", "own_jobcoach": 0, "tenure_weeks": 12, "debt_problems": 1,
         "contract_type": "bepaald", "weeks_to_planned_end": 30.0, "no_jobcoach_contact_yet": 0,
         "jobcoach_contacts_13w": 1, "weeks_since_jobcoach_contact": 6.0, "last_jobcoach_contact_zorgelijk": 1}
    return {**v, **changes}


def explained(contribs: dict, **changes):
    row = pd.Series(contribs, dtype=float)
    names = ["sick_reports_4w", "employer_other_uitval", "jobcoach_hours_per_month", "tenure_weeks",
             "debt_problems", "harrie_trained", "last_jobcoach_contact_zorgelijk"]
    return explain_row(values(**changes), row, names, -2.0, -2.0 + row.sum())


def test_sentences_are_built_from_the_actual_values():
    e = explained({"ziekmeldingen": 0.5, "werkgever_ervaringen": 0.4, "jobcoaching": 0.3, "duur": -0.2})
    sentences = {f["factor"]: f["sentence"] for f in e["raises"] + e["lowers"]}
    assert sentences["ziekmeldingen"].startswith("2 ziekmeldingen in de laatste 4 weken")
    assert sentences["werkgever_ervaringen"] == "werkgever: 3 van de 5 eerdere LKS-plaatsingen eindigden in uitval"
    assert sentences["jobcoaching"].startswith("8 uur jobcoaching per maand toegekend")
    assert sentences["duur"] == "12 weken in dienst"


def test_raising_factors_suggest_the_municipalitys_interventions():
    e = explained({"werkgever_ervaringen": 0.4, "schulden": 0.3, "jobcoach_contact": 0.2, "loonwaarde": -0.1})
    codes = [s["code"] for s in e["suggestions"]]
    assert codes == ["harrie_training", "schuldhulp", "extra_jobcoaching"]
    assert e["lowers"][0]["suggestion"] is None  # lowering factors suggest nothing
    assert explained({"werkgever_ervaringen": 0.4}, harrie_trained=1)["suggestions"] == []


def test_tenure_is_shown_but_never_acted_on():
    e = explained({"duur": 0.9})
    assert e["raises"][0]["factor"] == "duur"
    assert e["raises"][0]["actionable"] is False and e["raises"][0]["suggestion"] is None and e["suggestions"] == []


def test_actionable_comes_from_the_catalog():
    e = explained({"schulden": 0.3, "opleiding": 0.2})
    by = {f["factor"]: f["actionable"] for f in e["raises"]}
    assert by == {"schulden": True, "opleiding": False}


def test_a_dpia_models_health_input_is_named_and_never_acted_on():
    e = explained({"gezondheid": 0.6}, health_limitation=1.0)
    assert e["raises"][0]["label"] == "gezondheidsbeperking"
    assert e["raises"][0]["sentence"] == "bekende gezondheidsbeperking"
    assert e["raises"][0]["actionable"] is False and e["suggestions"] == []
    assert explained({"gezondheid": -0.1}, health_limitation=None)["lowers"][0]["sentence"] == \
        "gezondheidsbeperking onbekend"


def test_each_factor_carries_its_risk_contribution_in_percentage_points_beside_the_log_odds():
    import math

    from lks.service.explanations import with_risk_points

    explanation = {"raw_52w": 0.5, "raises": [{"label": "ziekmeldingen", "contribution": 0.8}],
                   "lowers": [{"label": "uren", "contribution": -0.3}]}
    shown = with_risk_points(explanation)

    def risk(x):
        return 1 / (1 + math.exp(-x))

    assert shown["raises"][0]["contribution"] == 0.8  # the raw value stays
    assert shown["raises"][0]["contribution_pp"] == pytest.approx(100 * (risk(0.5) - risk(-0.3)), abs=0.005)
    assert shown["lowers"][0]["contribution_pp"] == pytest.approx(100 * (risk(0.5) - risk(0.8)), abs=0.005)
    assert "contribution_pp" not in explanation["raises"][0]  # the stored explanation is not changed
