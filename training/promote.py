"""Champion and challenger: side-by-side metrics, and promotion through quality and fairness gates.

Every model passes absolute gates before it serves, the first champion too (`absolute_gates`): a
fairness audit exists and judges something; every judged group's recall ratio lies in the band and
its calibration within the limit (decided on the bootstrap interval, see training/config/gates.yaml);
it beats today's practice and every baseline; special inputs only under a DPIA reference. A challenger
also passes relative gates against the champion on identical test rows (`relative_gates`).
`--force` overrides the gates; the reason is stored on the model version, with the gates it failed.
One check no force overrides: a challenger trained under a DPIA reference (it reads special-category
columns) is promoted only in a deployment that names that same reference, as the service would
refuse to serve it anywhere else (`service.dpia`).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime

import mlflow
from mlflow.tracking import MlflowClient

from lks.data_contracts.roles import dpia_refusal
from lks.training.fairness import JSON_KEYS, load_config
from lks.training.tracking import CHALLENGER, CHAMPION, MODEL_NAME, alias_version, promotion_time


@dataclass(frozen=True)
class Gate:
    name: str
    passed: bool
    detail: str


@dataclass
class Decision:
    promoted: bool
    reasons: list[str]  # the gates that failed (empty when all passed), each with its numbers
    gates: list[Gate] = field(default_factory=list)


def backtest_of(alias: str, client: MlflowClient | None = None) -> dict | None:
    """The backtest summary logged with the version holding `alias`, plus its version info."""
    client = client or MlflowClient()
    version = alias_version(alias, client)
    if version is None:
        return None
    summary = mlflow.artifacts.load_dict(f"runs:/{version.run_id}/backtest.json")
    return {**summary, "version": version.version, "run_id": version.run_id,
            "dpia_reference": (version.tags or {}).get("dpia_reference"),
            "created": datetime.fromtimestamp(version.creation_timestamp / 1000).isoformat(timespec="seconds")}


def side_by_side(client: MlflowClient | None = None, dpia_reference: str | None = None) -> dict:
    """The object `lks evaluate --json` prints: metrics, the champion's fairness audit (`fairness`:
    attribute -> groups) and the gates: the challenger's against the champion when there is one,
    else the champion's own absolute gates."""
    client = client or MlflowClient()
    champion, challenger = backtest_of(CHAMPION, client), backtest_of(CHALLENGER, client)
    if champion is None:
        raise LookupError("no champion registered yet: run `lks train` first")
    out = {"champion": _entry(champion), "baselines": champion["baselines"]}
    if challenger is not None:
        out["challenger"] = {**_entry(challenger), "fairness": fairness_groups(challenger)}
    if champion.get("oracle"):
        out["oracle"] = champion["oracle"]
    out["fairness"] = fairness_groups(champion)
    judged = all_gates(champion, challenger, dpia_reference) if challenger else all_gates(None, champion,
                                                                                         dpia_reference)
    out["gates"] = [asdict(g) for g in judged]
    return out


def fairness_groups(summary: dict) -> dict[str, list[dict]]:
    """attribute -> groups with the keys of `lks evaluate --json` (fairness.JSON_KEYS)."""
    return {attribute: [{key: group.get(key) for key in JSON_KEYS} for group in groups]
            for attribute, groups in (summary.get("fairness") or {}).items()}


def _entry(summary: dict) -> dict:
    return {**summary["champion"], "model": summary["model"], "version": summary["version"],
            "run_id": summary["run_id"], "created": summary["created"], "test_dates": summary["test_dates"],
            "champion_rule": summary.get("champion_rule")}


def _ci(lo: float | None, hi: float | None) -> str:
    return f"[{lo:.2f}, {hi:.2f}]" if lo is not None and hi is not None else "[-, -]"


def audit_gate(summary: dict) -> Gate:
    audit = summary.get("fairness") or {}
    judged = sum(bool(g.get("judged")) for groups in audit.values() for g in groups)
    if not audit:
        return Gate("fairness audit", False, "the backtest summary holds no fairness audit: nothing can be judged")
    if not judged:
        return Gate("fairness audit", False, "no group in any attribute is large enough to judge")
    return Gate("fairness audit", True, f"{len(audit)} attributes, {judged} groups large enough to judge")


def recall_gates(summary: dict, config: dict) -> list[Gate]:
    """Per attribute: every judged group's recall ratio inside the band, decided as gates.yaml says
    (fails when the point estimate is outside the band and the interval excludes 1)."""
    low, high = config["gates"]["recall_ratio_band"]
    out = []
    for attribute, groups in (summary.get("fairness") or {}).items():
        failed, small = [], []
        for g in groups:
            if not g.get("judged"):
                small.append(f"{g['group']} ({g['n_placements']} placements, {g['n_uitval']} uitval)")
                continue
            ratio, (lo, hi) = g.get("recall_ratio"), g.get("recall_ratio_ci") or (None, None)
            outside = ratio is None or not low <= ratio <= high
            excludes_parity = lo is None or hi is None or not lo <= 1 <= hi
            if outside and excludes_parity:
                failed.append(f"{g['group']}: recall {g.get('recall')} against the largest group, ratio "
                              f"{'-' if ratio is None else f'{ratio:.2f}'} {_ci(lo, hi)} outside {low}-{high}")
        detail = "; ".join(failed) or f"every judged group inside {low}-{high} (or its interval contains 1)"
        if small:
            detail += f"; too small to judge: {', '.join(small)}"
        out.append(Gate(f"recall ratio by {attribute}", not failed, detail))
    return out


def calibration_gates(summary: dict, config: dict) -> list[Gate]:
    """Per attribute: no judged group whose mean predicted risk is off its observed uitval by more than the
    limit, with the interval of the difference excluding 0."""
    limit = config["gates"]["calibration_limit"]
    out = []
    for attribute, groups in (summary.get("fairness") or {}).items():
        failed = []
        for g in groups:
            gap, lo, hi = g.get("calibration_gap"), g.get("calibration_gap_lo"), g.get("calibration_gap_hi")
            if not g.get("judged") or gap is None:
                continue
            if abs(gap) > limit and not (lo is not None and hi is not None and lo <= 0 <= hi):
                failed.append(f"{g['group']}: predicted {g.get('mean_predicted')} against observed "
                              f"{g.get('observed')}, difference {gap:+.3f} {_ci(lo, hi)}, limit {limit}")
        out.append(Gate(f"calibration by {attribute}", not failed,
                        "; ".join(failed) or f"every judged group within {limit} (or its interval contains 0)"))
    return out


def baseline_gates(summary: dict, config: dict) -> list[Gate]:
    """The model beats today's practice and every other baseline, on its own test rows."""
    model, metrics = summary["model"], summary["champion"]
    out = []
    for name, theirs in (summary.get("baselines") or {}).items():
        if name == model:
            continue
        short = [f"{m} {metrics.get(m, float('nan')):.3f} <= {name}'s {theirs.get(m, float('nan')):.3f}"
                 for m in config["gates"]["beat_baselines_on"] if not metrics.get(m, float("nan")) > theirs.get(m, 0)]
        out.append(Gate(f"beats {name}", not short, "; ".join(short) or f"beats {name} on "
                        f"{', '.join(config['gates']['beat_baselines_on'])}"))
    return out


def dpia_gate(summary: dict, deployment_reference: str | None) -> Gate:
    special = tuple(summary.get("special_columns") or ())
    why = dpia_refusal(str(summary.get("version", "(new)")), special, summary.get("dpia_reference"),
                       deployment_reference)
    return Gate("special inputs under a DPIA reference", why is None, why or (
        f"reads {', '.join(special)} under the deployment's DPIA reference" if special else "reads no special column"))


def absolute_gates(summary: dict, deployment_reference: str | None, config: dict | None = None) -> list[Gate]:
    """The gates every model passes before it serves, the first champion included."""
    config = config or load_config()
    return [audit_gate(summary), *recall_gates(summary, config), *calibration_gates(summary, config),
            *baseline_gates(summary, config), dpia_gate(summary, deployment_reference)]


def relative_gates(champion: dict, challenger: dict, config: dict | None = None) -> list[Gate]:
    """The challenger against the champion on identical test rows: the champion's own figures when both
    backtests judged the same rows, else the champion's recipe (its candidate) as retrained and scored
    in the challenger's backtest."""
    config = config or load_config()
    new = challenger["champion"]
    if champion.get("test_rows") and champion.get("test_rows") == challenger.get("test_rows"):
        old, where = champion["champion"], "on identical test rows"
    else:
        recipe = champion.get("model")
        old = {**(challenger.get("baselines") or {}), **(challenger.get("candidates") or {})}.get(recipe)
        if old is None:
            return [Gate("against the champion", False, f"the champion's model {recipe!r} was not scored on the "
                         f"challenger's test rows: they cannot be compared on identical rows")]
        where = f"on the challenger's test rows, the champion's recipe ({recipe}) retrained on the same schedule"
    out = []
    for metric, better in config["gates"]["champion_not_worse_on"].items():
        a, b = new.get(metric, float("nan")), old.get(metric, float("nan"))
        ok = a >= b if better == "higher" else a <= b
        out.append(Gate(f"{metric} against the champion", bool(ok), f"{a:.3f} against the champion's {b:.3f} {where}"))
    return out


def all_gates(champion: dict | None, challenger: dict, deployment_reference: str | None) -> list[Gate]:
    config = load_config()
    relative = relative_gates(champion, challenger, config) if champion else []
    return [*absolute_gates(challenger, deployment_reference, config), *relative]


def failures(judged: list[Gate]) -> list[str]:
    return [f"{g.name}: {g.detail}" for g in judged if not g.passed]


def first_alias(summary: dict, champion_exists: bool) -> str:
    """The alias a newly registered model gets: challenger when a champion exists, or when it fails one
    of its own gates (`summary["gates"]`): nothing becomes champion unchecked."""
    passed = all(g["passed"] for g in summary.get("gates") or [{"passed": False}])
    return CHAMPION if not champion_exists and passed else CHALLENGER


def challenger_refusal(challenger: dict, deployment_reference: str | None) -> str | None:
    """Why the challenger may not become champion in this deployment (the one DPIA rule), or None."""
    why = dpia_refusal(str(challenger["version"]), (), challenger.get("dpia_reference"), deployment_reference)
    return f"{why}; the service would refuse it (--force does not apply)" if why else None


def promote(force: bool = False, reason: str | None = None, client: MlflowClient | None = None,
            dpia_reference: str | None = None) -> Decision:
    """`dpia_reference` is the deployment's (LKS_DPIA_REFERENCE)."""
    client = client or MlflowClient()
    champion, challenger = backtest_of(CHAMPION, client), backtest_of(CHALLENGER, client)
    if challenger is None:
        return Decision(False, ["there is no challenger: train one with `lks train`"])
    refusal = challenger_refusal(challenger, dpia_reference)
    if refusal:
        return Decision(False, [refusal])
    judged = all_gates(champion, challenger, dpia_reference)
    failed = failures(judged)
    if failed and not force:
        return Decision(False, failed, judged)
    if force and not reason:
        raise ValueError("--force needs --reason: say why the gates are overridden")
    version = challenger["version"]
    record = {"promoted_at": promotion_time(), "promoted_by": getpass.getuser(),
              "forced": str(bool(failed and force)), "failed_gates": json.dumps(failed),
              "reason": reason or "passed all gates", "replaced_version": str(champion["version"] if champion else ""),
              "gates_version": str(load_config()["version"])}
    for key, value in record.items():
        client.set_model_version_tag(MODEL_NAME, version, f"promotion.{key}", value)
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, version)
    client.delete_registered_model_alias(MODEL_NAME, CHALLENGER)
    return Decision(True, failed, judged)
