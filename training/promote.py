"""Champion and challenger: side-by-side metrics, and promotion through quality and fairness gates.

A challenger becomes champion only when, on its own backtest, it is at least as precise at k and
at least as well calibrated as the champion on the champion's, beats today's practice, and opens
no larger gap between protected groups in how much of their uitval the weekly list catches.
`--force` overrides the gates; the reason is stored on the model version, with the gates it failed.
One check no force overrides: a challenger trained under a DPIA reference (it reads special-category
columns) is promoted only in a deployment that names that same reference, as the service would
refuse to serve it anywhere else (`service.dpia`).
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import mlflow
from mlflow.tracking import MlflowClient

from lks.data_contracts.roles import dpia_refusal
from lks.training.tracking import CHALLENGER, CHAMPION, MODEL_NAME, alias_version

FAIRNESS_TOLERANCE = 0.05  # a recall gap between groups may grow this much, no more


@dataclass
class Decision:
    promoted: bool
    reasons: list[str]  # the gates that failed (empty when all passed)


def backtest_of(alias: str, client: MlflowClient | None = None) -> dict[str, Any] | None:
    """The backtest summary logged with the version holding `alias`, plus its version info."""
    client = client or MlflowClient()
    version = alias_version(alias, client)
    if version is None:
        return None
    summary = mlflow.artifacts.load_dict(f"runs:/{version.run_id}/backtest.json")
    return {**summary, "version": version.version, "run_id": version.run_id,
            "dpia_reference": (version.tags or {}).get("dpia_reference"),
            "created": datetime.fromtimestamp(version.creation_timestamp / 1000).isoformat(timespec="seconds")}


def side_by_side(client: MlflowClient | None = None) -> dict[str, Any]:
    """The object `lks evaluate --json` prints."""
    client = client or MlflowClient()
    champion, challenger = backtest_of(CHAMPION, client), backtest_of(CHALLENGER, client)
    if champion is None:
        raise LookupError("no champion registered yet: run `lks train` first")
    out = {"champion": _entry(champion), "baselines": champion["baselines"]}
    if challenger is not None:
        out["challenger"] = _entry(challenger)
    if champion.get("oracle"):
        out["oracle"] = champion["oracle"]
    return out


def _entry(summary: dict[str, Any]) -> dict[str, Any]:
    return {**summary["champion"], "model": summary["model"], "version": summary["version"],
            "run_id": summary["run_id"], "created": summary["created"], "test_dates": summary["test_dates"],
            "champion_rule": summary.get("champion_rule")}


def gates(champion: dict[str, Any], challenger: dict[str, Any]) -> list[str]:
    """The gates the challenger fails against the champion (empty: it may be promoted)."""
    failed = []
    new, old = challenger["champion"], champion["champion"]
    if new["precision_at_k"] < old["precision_at_k"]:
        failed.append(f"precision at k {new['precision_at_k']:.3f} < champion's {old['precision_at_k']:.3f}")
    if new["ece_52w"] > old["ece_52w"]:
        failed.append(f"calibration error (ECE 52w) {new['ece_52w']:.3f} > champion's {old['ece_52w']:.3f}")
    practice = challenger["baselines"]["current_practice"]["precision_at_k"]
    if new["precision_at_k"] <= practice:
        failed.append(f"precision at k {new['precision_at_k']:.3f} does not beat current practice {practice:.3f}")
    for attribute, gap in challenger.get("fairness_gaps", {}).items():
        before = champion.get("fairness_gaps", {}).get(attribute, 0.0)
        if gap > before + FAIRNESS_TOLERANCE:
            failed.append(f"recall gap between {attribute} groups {gap:.3f} > champion's {before:.3f} "
                          f"+ {FAIRNESS_TOLERANCE}")
    return failed


def challenger_refusal(challenger: dict[str, Any], deployment_reference: str | None) -> str | None:
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
    failed = gates(champion, challenger) if champion else []
    if failed and not force:
        return Decision(False, failed)
    if force and not reason:
        raise ValueError("--force needs --reason: say why the gates are overridden")
    version = challenger["version"]
    record = {"promoted_at": datetime.now().isoformat(timespec="seconds"), "promoted_by": getpass.getuser(),
              "forced": str(bool(failed and force)), "failed_gates": json.dumps(failed),
              "reason": reason or "passed all gates", "replaced_version": str(champion["version"] if champion else "")}
    for key, value in record.items():
        client.set_model_version_tag(MODEL_NAME, version, f"promotion.{key}", value)
    client.set_registered_model_alias(MODEL_NAME, CHAMPION, version)
    client.delete_registered_model_alias(MODEL_NAME, CHALLENGER)
    return Decision(True, failed)
