"""The champion rule: which model `lks train` registers, chosen on the validation window only.

1. A champion candidate is eligible when it beats every baseline (today's practice included) on each
   headline metric (pooled ROC AUC 13w and 52w, precision at k). Among the eligible: the highest mean
   precision at k, then the most validation dates on which it is at least as precise as the others,
   then the lower ECE.
2. If none is eligible, no candidate is ever crowned: the best fallback baseline (`Candidate.fallback`:
   the logistic regression) that beats today's practice on each headline metric is registered instead.
3. If nothing beats today's practice, nothing is registered (`NoChampion`).
The test window only reports: `test_shortfalls` says where the chosen model falls behind there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lks.training.backtest import EXTREMES, HEADLINE, LABEL_READINGS, PRIMARY, BacktestResult
from lks.training.candidates import CANDIDATES, PRACTICE, Candidate

KINDS = ("candidate", "baseline")


class NoChampion(RuntimeError):
    """Nothing beats today's practice: no model may be registered."""


@dataclass(frozen=True)
class ChampionChoice:
    model: str
    kind: str                   # "candidate" or "baseline" (no candidate beat every baseline)
    eligible: list[str]         # the candidates that beat every baseline on validation
    reason: str                 # one plain sentence (English) for the summary, the report and the CLI
    test_shortfalls: list[str] = field(default_factory=list)  # "<metric> behind <model>" on the test window

    def as_dict(self) -> dict:
        return {"model": self.model, "kind": self.kind, "eligible": list(self.eligible), "reason": self.reason,
                "test_shortfalls": list(self.test_shortfalls)}


def beats(metrics: dict[str, dict[str, float]], name: str, others: list[str]) -> bool:
    """`name` is strictly ahead of each of `others` on every headline metric (NaN is never ahead)."""
    return all(metrics[name][m] > metrics[o][m] for o in others for m in HEADLINE)


def shortfalls(metrics: dict[str, dict[str, float]], name: str, others: list[str]) -> list[str]:
    return [f"{m} {metrics[name][m]:.3f} not above {o} {metrics[o][m]:.3f}"
            for o in others for m in HEADLINE if not metrics[name][m] > metrics[o][m]]


def _baselines(metrics: dict, candidates: list[Candidate]) -> list[str]:
    return [c.name for c in candidates if not c.champion_candidate and c.name in metrics]


def eligible_champions(result: BacktestResult, candidates: list[Candidate] = CANDIDATES) -> list[str]:
    """The candidates that beat every baseline on the validation window."""
    metrics = result.validation
    baselines = _baselines(metrics, candidates)
    return [c.name for c in candidates if c.champion_candidate and c.name in metrics
            and beats(metrics, c.name, baselines)]


def _best(result: BacktestResult, names: list[str]) -> str:
    per_date = result.validation_per_date
    precision = pd.DataFrame({n: per_date[n]["precision_at_k"].to_numpy() for n in names})
    wins = {n: int((precision[n] >= precision.drop(columns=n).max(axis=1)).sum()) if len(names) > 1 else 0
            for n in names}
    return max(names, key=lambda n: (round(result.validation[n]["precision_at_k"], 4), wins[n],
                                     -np.nan_to_num(result.validation[n].get("ece_52w", np.nan), nan=np.inf)))


def choose_champion(result: BacktestResult, candidates: list[Candidate] = CANDIDATES) -> ChampionChoice:
    """Apply the rule in the module docstring; raises NoChampion with the reason when nothing qualifies."""
    metrics = result.validation
    baselines = _baselines(metrics, candidates)
    eligible = eligible_champions(result, candidates)
    if eligible:
        chosen = _best(result, eligible)
        reason = (f"{chosen} beats every baseline ({', '.join(baselines)}) on pooled ROC AUC 13w, 52w and "
                  f"precision at k in the validation weeks")
        return _with_test_check(ChampionChoice(chosen, "candidate", eligible, reason), result, baselines)
    losers = "; ".join(f"{c.name}: {', '.join(shortfalls(metrics, c.name, baselines))}"
                       for c in candidates if c.champion_candidate and c.name in metrics)
    if PRACTICE not in metrics:
        raise NoChampion(f"no candidate beats every baseline ({losers}) and today's practice "
                         f"({PRACTICE}) was not evaluated, so no baseline can be judged against it")
    fallbacks = [c.name for c in candidates if c.fallback and c.name in metrics and beats(metrics, c.name, [PRACTICE])]
    if not fallbacks:
        behind = "; ".join(f"{c.name}: {', '.join(shortfalls(metrics, c.name, [PRACTICE]))}"
                           for c in candidates if c.fallback and c.name in metrics)
        raise NoChampion(f"no candidate beats every baseline ({losers}), and no baseline that can be served "
                         f"beats today's practice ({behind or 'none was evaluated'}): no model is registered")
    chosen = _best(result, fallbacks)
    reason = (f"no candidate beats every baseline in the validation weeks ({losers}); the baseline {chosen} "
              f"beats today's practice on each headline metric and is registered instead")
    return _with_test_check(ChampionChoice(chosen, "baseline", [], reason), result,
                            [PRACTICE])


def _with_test_check(choice: ChampionChoice, result: BacktestResult, others: list[str]) -> ChampionChoice:
    """Where the chosen model falls behind on the test window (reported, never used to choose)."""
    if not result.pooled or choice.model not in result.pooled:
        return choice
    found = shortfalls(result.pooled, choice.model, [o for o in others if o in result.pooled])
    return ChampionChoice(choice.model, choice.kind, choice.eligible, choice.reason, found)


def summary_fields(result: BacktestResult) -> dict:
    """What the training summary (backtest.json) records beyond the test metrics: the rule's decision,
    the validation window it used, and the headline metrics under each reading of `onbekend` endings."""
    since = result.structured_since
    test = result.predictions
    return {
        "champion_rule": result.choice.as_dict() if result.choice is not None else None,
        "validation_dates": [str(d.date()) for d in result.validation_dates],
        "validation": {n: {m: v for m, v in metrics.items() if m in (*HEADLINE, "ece_52w")}
                       for n, metrics in result.validation.items()},
        "primary_figure": PRIMARY,
        "primary_figure_means": LABEL_READINGS[PRIMARY],
        "onbekend": {"test_rows": int(len(test)),
                     "rows_with_onbekend_ending": int(test["unknown_ending"].sum()) if "unknown_ending" in test else 0,
                     "readings": {r: LABEL_READINGS[r] for r in EXTREMES}, **result.extremes},
        "structured_era": {"since": str(since.date()) if since is not None else None,
                           "test_dates_in_era": [str(d.date()) for d in result.test_dates
                                                 if since is not None and d >= since],
                           "validation_dates_in_era": [str(d.date()) for d in result.validation_dates
                                                       if since is not None and d >= since]},
    }


def choice_notes(result: BacktestResult) -> list[str]:
    """Plain lines for the report and the CLI: the rule's decision, the test check, the onbekend range."""
    choice = result.choice
    notes = [f"champion rule: {choice.reason}"]
    if choice.test_shortfalls:
        notes.append(f"warning: on the test window {choice.model} is not ahead everywhere: "
                     f"{'; '.join(choice.test_shortfalls)}")
    test = result.predictions
    if "unknown_ending" in test and choice.model in result.pooled:
        # the two readings bound precision at k (linear in the labels), not ROC AUC: a mix of unknown rows
        # counted one way and the other can rank a little better or worse than either reading
        figures = ", ".join(
            f"{m} {result.pooled[choice.model][m]:.3f} (as uitval {result.extremes['as_uitval'][choice.model][m]:.3f},"
            f" as neutral {result.extremes['as_neutral'][choice.model][m]:.3f})" for m in HEADLINE)
        notes.append(f"{int(test['unknown_ending'].sum()):,} of {len(test):,} test rows end with an onbekend reason; "
                     f"{choice.model} primary figure with them counted as uitval or as neutral: {figures}")
    return notes
