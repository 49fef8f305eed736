"""Explanations in plain Dutch: the factors that raise a placement's risk most and those that lower it.

The model explains its raw 52-week score (log-odds) as base_value + one contribution per model input.
Inputs are grouped into factors a coordinator recognises (all sick-report features are one factor,
"ziekmeldingen"); each catalog feature names its factor (`features.catalog.Feature.factor`). A factor's
contribution is the sum of its inputs' contributions, so the factors plus the base value still add up
to the raw score. Each factor gets a sentence built from the
placement's actual values, whether a coach or employer can act on it (features.catalog), and, when
it raises the risk, the intervention the municipality already uses for it. Tenure is shown, never
acted on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from lks.features.catalog import BY_NAME

INTERVENTIONS = {
    "extra_jobcoaching": "extra jobcoaching",
    "loonwaarde_onderzoek": "nieuw loonwaarde-onderzoek",
    "taken_aangepast": "taken aanpassen",
    "overstap_begeleiding": "begeleiding naar ander werk",
    "harrie_training": "Harrie-training voor de werkgever",
    "schuldhulp": "schuldhulp",
}
TOP = 3


def _num(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _int(v) -> int:
    f = _num(v)
    return int(round(f)) if f is not None else 0


def _fmt(v, digits: int = 0) -> str:
    f = _num(v)
    if f is None:
        return "onbekend"
    return f"{f:.{digits}f}".replace(".", ",") if digits else str(int(round(f)))


def _plural(n: int, one: str, many: str) -> str:
    return f"geen {many}" if n == 0 else f"{n} {one if n == 1 else many}"


def _ago(weeks) -> str:
    """'deze week', '1 week geleden', '3 weken geleden' (or 'onbekend')."""
    n = _num(weeks)
    if n is None:
        return "onbekend"
    n = int(round(n))
    return "deze week" if n == 0 else f"{_plural(n, 'week', 'weken')} geleden"


def _sick(v) -> str:
    text = (f"{_plural(_int(v.get('sick_reports_4w')), 'ziekmelding', 'ziekmeldingen')} in de laatste 4 weken, "
            f"{_int(v.get('sick_reports_26w'))} in de laatste 26 weken")
    if _int(v.get("currently_sick")):
        text += f"; nu ziek gemeld, al {_fmt(v.get('weeks_sick_current'))} weken"
    return text


def _contact(kind: str, label: str) -> Callable[[dict], str]:
    def sentence(v) -> str:
        if _int(v.get(f"no_{kind}_contact_yet")):
            return f"nog geen contact met {label}"
        text = (f"{_plural(_int(v.get(f'{kind}_contacts_13w')), 'contact', 'contacten')} met {label} "
                f"in de laatste 13 weken, het laatste {_ago(v.get(f'weeks_since_{kind}_contact'))}")
        if _int(v.get(f"last_{kind}_contact_zorgelijk")):
            text += " en zorgelijk"
        elif _int(v.get(f"last_{kind}_contact_positief")):
            text += " en positief"
        return text
    return sentence


def _employer_record(v) -> str:
    others = _int(v.get("employer_other_placements"))
    if not others:
        return "werkgever: nog geen eerdere LKS-plaatsingen"
    uitval = _int(v.get("employer_other_uitval"))
    return f"werkgever: {uitval} van de {others} eerdere LKS-plaatsingen eindigden in uitval"


def _hours(v) -> str:
    text = f"{_fmt(v.get('hours_per_week'))} uur per week"
    if _num(v.get("hours_change_since_start")):
        text += f" (bij de start {_fmt(v.get('hours_per_week_start'))})"
    return text


def _wage(v) -> str:
    text = f"loonwaarde {_fmt(v.get('wage_value_pct'))}%"
    if _num(v.get("wage_value_change_since_start")):
        text += f" (bij de start {_fmt(v.get('wage_value_pct_start'))}%)"
    return text


def _contract(v) -> str:
    if v.get("contract_type") == "onbepaald":
        return "contract voor onbepaalde tijd"
    text = f"contract voor bepaalde tijd, nog {_fmt(v.get('weeks_to_planned_end'))} weken tot de geplande einddatum"
    if _int(v.get("contract_extensions")):
        text += f", {_plural(_int(v.get('contract_extensions')), 'keer', 'keer')} verlengd"
    return text


def _coaching(v) -> str:
    org = {"geen": "geen jobcoachorganisatie", "intern": "interne jobcoach",
           "extern": "externe jobcoach"}.get(str(v.get("jobcoach_org_type")), "jobcoach onbekend")
    text = f"{_fmt(v.get('jobcoach_hours_per_month'))} uur jobcoaching per maand toegekend ({org})"
    return text + (", werkgever heeft een eigen jobcoach" if _int(v.get("own_jobcoach")) else "")


def _interventions(v) -> str:
    n = _int(v.get("interventions_all"))
    if not n:
        return "nog geen interventies gestart"
    return f"{_plural(n, 'interventie', 'interventies')} gestart, de laatste {_ago(v.get('weeks_since_intervention'))}"


def _career(v) -> str:
    earlier = _int(v.get("person_earlier_placements"))
    text = f"{_fmt(v.get('months_on_benefit_before'))} maanden uitkering voor deze baan"
    if earlier:
        uitval = _int(v.get("person_earlier_uitval"))
        text += f"; {_plural(earlier, 'eerdere LKS-baan', 'eerdere LKS-banen')}, waarvan {uitval} in uitval"
    return text


def _scheme(v) -> str:
    parts = [f"subsidie {v.get('subsidy_type', 'onbekend')}"]
    flags = (("springboard", "springplankbaan"), ("trial_placement_before", "na een proefplaatsing"),
             ("partial_benefit", "met aanvullende uitkering"))
    parts += [text for name, text in flags if _int(v.get(name))]
    parts.append(f"subsidie startte {_fmt(v.get('lks_delay_weeks'))} weken na de eerste werkdag")
    return ", ".join(parts)


def _employer(v) -> str:
    return (f"werkgever in de sector {v.get('sector', 'onbekend')}, {v.get('size_class', '?')} medewerkers, "
            f"{str(v.get('employer_type', 'onbekend')).replace('_', ' ')}")


def _warnings(v) -> str:
    text = (f"{_plural(_int(v.get('sick_reports_4w')), 'ziekmelding', 'ziekmeldingen')} en "
            f"{_plural(_int(v.get('employer_signals_4w')), 'signaal', 'signalen')} van de werkgever "
            "in de laatste 4 weken")
    weeks = _num(v.get("weeks_since_zorgelijk_contact"))
    return text + (f"; het laatste zorgelijke contact was {_ago(weeks)}" if weeks is not None
                   else "; nog geen zorgelijk contact")


def _reassurance(v) -> str:
    positive = sum(round((_num(v.get(f"{kind}_positief_share_13w")) or 0) * _int(v.get(f"{kind}_contacts_13w")))
                   for kind in ("jobcoach", "municipality"))
    text = f"{_plural(positive, 'positief contact', 'positieve contacten')} in de laatste 13 weken"
    weeks = _num(v.get("weeks_since_positief_contact"))
    return text + (f"; het laatste positieve contact was {_ago(weeks)}" if weeks is not None
                   else "; nog geen positief contact")


def _health(v) -> str:
    known = _num(v.get("health_limitation"))
    if known is None:
        return "gezondheidsbeperking onbekend"
    return "bekende gezondheidsbeperking" if known else "geen bekende gezondheidsbeperking"


@dataclass(frozen=True)
class Factor:
    key: str
    label: str
    sentence: Callable[[dict], str]
    suggestion: Callable[[dict], str | None] = lambda v: None
    never_actionable: bool = False


FACTORS = [
    Factor("ziekmeldingen", "ziekmeldingen", _sick, lambda v: "taken_aangepast"),
    Factor("jobcoach_contact", "contact met de jobcoach", _contact("jobcoach", "de jobcoach"),
           lambda v: "extra_jobcoaching"),
    Factor("gemeente_contact", "contact met de gemeente", _contact("municipality", "de gemeente")),
    Factor("werkgever_signalen", "signalen van de werkgever",
           lambda v: f"{_plural(_int(v.get('employer_signals_13w')), 'signaal', 'signalen')} van de werkgever "
                     "in de laatste 13 weken",
           lambda v: "taken_aangepast"),
    Factor("werkgever_ervaringen", "ervaringen bij deze werkgever", _employer_record,
           lambda v: None if _int(v.get("harrie_trained")) else "harrie_training"),
    Factor("uren", "uren per week", _hours, lambda v: "taken_aangepast"),
    Factor("loonwaarde", "loonwaarde", _wage, lambda v: "loonwaarde_onderzoek"),
    Factor("contract", "contract", _contract,
           lambda v: "overstap_begeleiding" if (_num(v.get("weeks_to_planned_end")) or 99) < 13 else None),
    Factor("jobcoaching", "jobcoaching", _coaching, lambda v: "extra_jobcoaching"),
    Factor("interventies", "eerdere interventies", _interventions),
    Factor("schulden", "schulden",
           lambda v: "bekende problematische schulden" if _int(v.get("debt_problems")) else "geen bekende schulden",
           lambda v: "schuldhulp" if _int(v.get("debt_problems")) else None),
    Factor("kinderopvang", "kinderopvang",
           lambda v: ("behoefte" if _int(v.get("childcare_need")) else "geen behoefte") + " aan kinderopvang"),
    Factor("opleiding", "opleiding", lambda v: f"opleidingsniveau {v.get('education_level', 'onbekend')}"),
    Factor("loopbaan", "eerdere uitkering en banen", _career),
    Factor("regeling", "regeling en start", _scheme),
    Factor("werkgever", "soort werkgever", _employer),
    Factor("harrie", "Harrie-training werkgever",
           lambda v: "de werkgever volgde de Harrie-training" if _int(v.get("harrie_trained"))
           else "de werkgever volgde de Harrie-training nog niet",
           lambda v: None if _int(v.get("harrie_trained")) else "harrie_training"),
    Factor("waarschuwingssignalen", "recente waarschuwingssignalen", _warnings, lambda v: "extra_jobcoaching"),
    Factor("positieve_contacten", "recente positieve contacten", _reassurance),
    Factor("duur", "duur van de plaatsing", lambda v: f"{_fmt(v.get('tenure_weeks'))} weken in dienst",
           never_actionable=True),
    # only in a model trained under a DPIA reference: named, not hidden under "overige kenmerken"
    Factor("gezondheid", "gezondheidsbeperking", _health, never_actionable=True),
]
BY_KEY = {f.key: f for f in FACTORS}
OTHER = "overig"

@cache  # a model has ~110 inputs and a weekly list explains each of them for every placement
def factor_of(feature: str) -> str:
    """The factor a model input is summed into: its catalog entry's, or "overig" for an unknown input."""
    return BY_NAME[feature].factor if feature in BY_NAME else OTHER


def actionable(factor: str, features: Sequence[str]) -> bool:
    return _actionable(factor, tuple(features))


@cache
def _actionable(factor: str, features: tuple[str, ...]) -> bool:
    if factor in BY_KEY and BY_KEY[factor].never_actionable:
        return False
    return any(BY_NAME[f].actionable for f in features if f in BY_NAME and factor_of(f) == factor)


def factor_contributions(contributions: pd.DataFrame) -> pd.DataFrame:
    """Per placement (row) and factor (column): the summed contributions of that factor's inputs."""
    return contributions.T.groupby(contributions.columns.map(factor_of)).sum().T


def explain_row(values: dict, factor_row: pd.Series, features: Sequence[str], base_value: float, raw: float) -> dict:
    """One placement's explanation: top factors both ways, sentences, and suggested interventions."""
    return _explain_row(values, list(factor_row.index), factor_row.to_numpy(float), tuple(features), base_value, raw)


def _explain_row(values: dict, keys: list[str], row: np.ndarray, features: tuple[str, ...], base_value: float,
                 raw: float) -> dict:
    """`explain_row` on a factor row as an array (`keys` names its columns): what `explain` calls per placement."""
    def describe(j: int) -> dict:
        key, contribution = keys[j], row[j]
        factor = BY_KEY.get(key)
        acts = _actionable(key, features)
        suggestion = factor.suggestion(values) if factor and contribution > 0 and not factor.never_actionable else None
        sentence = factor.sentence(values) if factor else "overige kenmerken"
        return {"factor": key, "label": factor.label if factor else "overige kenmerken",
                "contribution": round(float(contribution), 4), "sentence": sentence, "actionable": acts,
                "suggestion": {"code": suggestion, "label": INTERVENTIONS[suggestion]} if suggestion else None}

    # contributions are shown to 4 decimals: one that rounds to 0 raises or lowers nothing worth saying.
    # The order is pandas' `Series.round(4).sort_values()` (numpy's quicksort on the rounded row): ties as before.
    rounded = row.round(4)
    order = np.argsort(rounded, kind="quicksort")
    raises = [describe(j) for j in [j for j in order[::-1] if rounded[j] > 0][:TOP]]
    lowers = [describe(j) for j in [j for j in order if rounded[j] < 0][:TOP]]
    suggestions: dict[str, dict] = {}
    for item in raises:
        if item["suggestion"] and item["suggestion"]["code"] not in suggestions:
            suggestions[item["suggestion"]["code"]] = {**item["suggestion"], "because": item["label"]}
    return {"base_value": round(float(base_value), 6), "raw_52w": round(float(raw), 6),
            "raises": raises, "lowers": lowers, "suggestions": list(suggestions.values())}


def risk_points(raw: float, contribution: float) -> float:
    """A factor's effect on the first-year risk in percentage points: the risk with the factor as it is minus
    the risk with its log-odds contribution taken away and the others kept (the model explains log-odds; a
    person reads risk). Not additive over factors, unlike the log-odds contributions."""
    return 100 * (_sigmoid(raw) - _sigmoid(raw - contribution))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def with_risk_points(explanation: dict) -> dict:
    """The explanation with each shown factor's `contribution_pp` (percentage points, `risk_points`) beside
    its raw `contribution` (log-odds): what the API and the page's chart both show."""
    raw = explanation["raw_52w"]

    def add(factor: dict) -> dict:
        return {**factor, "contribution_pp": round(risk_points(raw, factor["contribution"]), 2)}

    return {**explanation, "raises": [add(f) for f in explanation["raises"]],
            "lowers": [add(f) for f in explanation["lowers"]]}


def explain(features_frame: pd.DataFrame, contributions: pd.DataFrame, base_value: pd.Series,
            raw: pd.Series) -> list[dict]:
    """Explanations for every row of a features frame, given the model's contributions for it."""
    factors = factor_contributions(contributions)
    names = tuple(contributions.columns)
    keys, matrix = list(factors.columns), factors.to_numpy(float)
    base, raws = base_value.to_numpy(float), raw.to_numpy(float)
    records = features_frame.to_dict("records")
    return [_explain_row(records[i], keys, matrix[i], names, base[i], raws[i]) for i in range(len(features_frame))]
