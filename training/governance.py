"""Governance evidence for one registered version: the proxy and flip tests, the label audit by group,
and the documents rendered from them, logged with the version's run.

`document_version` is the one call `lks train` makes once the version is registered; `refresh`
renders the documents of a version again (after a promotion: its status and the forced promotions
change). Training never reads the service's settings: `Accountability` is passed in by the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass

import mlflow
import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient

from lks.training import documents, flips, governance_config, label_audit, proxy, register
from lks.training.groups import AUDITED, PERSON_COLUMNS, with_groups
from lks.training.tracking import CHAMPION, MODEL_NAME, alias_version

ARTIFACTS = {"model_card": "model_card.md", "technical_file": "technical_file.md",
             "register": "algoritmeregister.json", "register_readable": "algoritmeregister.md"}
INPUTS_ARTIFACT = "documents/inputs.json"


@dataclass(frozen=True)
class Accountability:
    """What the deployment states (LKS_ACCOUNTABLE_ROLE, LKS_AUDIT_LEGAL_BASIS, LKS_REGISTER_CONTACT)."""
    accountable_role: str | None = None
    audit_legal_basis: str | None = None
    contact: str | None = None
    organisation: str = "Gemeente Rotterdam"


def persons_by_placement(placements: pd.DataFrame, persons: pd.DataFrame) -> pd.DataFrame:
    """placement_id and the audited person columns, from the latest versions of both tables."""
    return placements[["placement_id", "person_id"]].merge(persons[["person_id", *PERSON_COLUMNS]],
                                                           on="person_id").drop(columns="person_id")


def checks(known, weekly: pd.DataFrame, test_rows: pd.DataFrame, persons: pd.DataFrame, features: list[str], risk_fn,
           k: int, as_of, config: governance_config.GovernanceConfig | None = None) -> dict[str, pd.DataFrame]:
    """The proxy test on every placement of `weekly` (its first week); flips, profile_swaps and label_audit
    on the backtest's test rows (the weekly rows of the test dates)."""
    config = config or governance_config.load()
    first_weeks = with_groups(proxy.one_per_placement(weekly), persons)
    proxies = proxy.proxy_test(first_weeks, features, AUDITED, config.proxy)
    grouped = with_groups(test_rows, persons)
    # every check below starts from the same risks: scored once
    base = np.asarray(risk_fn(test_rows), float) if len(test_rows) else np.zeros(0)
    swaps = []
    for attribute, tops in zip(proxies["attribute"], proxies["top_inputs"], strict=True):
        carried = [t["input"] for t in tops]
        if carried:
            table = flips.profile_swaps(test_rows, grouped[attribute], carried, risk_fn, k, config.flips,
                                        base_risk=base)
            swaps.append(table.assign(attribute=attribute))
    return {"proxy": proxies, "flips": flips.flip_test(test_rows, features, risk_fn, k, config.flips, base_risk=base),
            "profile_swaps": pd.concat(swaps, ignore_index=True) if swaps else pd.DataFrame(),
            "label_audit": label_audit.label_audit(known, test_rows, as_of, persons, placements_of=weekly)}


def forced_promotions(client: MlflowClient) -> list[dict]:
    """Every version promoted past failed gates, with who, when, which gates and the reason given."""
    out = []
    for version in client.search_model_versions(f"name='{MODEL_NAME}'"):
        tags = version.tags or {}
        if tags.get("promotion.forced") == "True":
            out.append({"version": str(version.version), "promoted_at": tags.get("promotion.promoted_at"),
                        "promoted_by": tags.get("promotion.promoted_by"), "reason": tags.get("promotion.reason"),
                        "failed_gates": tags.get("promotion.failed_gates")})
    return sorted(out, key=lambda p: int(p["version"]))


def log(inputs: documents.DocumentInputs, run_id: str, client: MlflowClient) -> None:
    client.log_text(run_id, documents.model_card(inputs), ARTIFACTS["model_card"])
    client.log_text(run_id, documents.technical_file(inputs), ARTIFACTS["technical_file"])
    client.log_dict(run_id, register.document(inputs), ARTIFACTS["register"])
    client.log_text(run_id, register.readable(inputs), ARTIFACTS["register_readable"])
    client.log_text(run_id, inputs.to_json(), INPUTS_ARTIFACT)


def document_version(logged: dict, inputs: documents.DocumentInputs, client: MlflowClient | None = None) -> None:
    """Log the documents of the version `lks train` just registered (`logged`: its run_id, version, alias)."""
    client = client or MlflowClient()
    inputs.version, inputs.run_id, inputs.status = str(logged["version"]), logged["run_id"], logged["alias"]
    inputs.promotions = forced_promotions(client)
    log(inputs, logged["run_id"], client)


def refresh(version: str, client: MlflowClient | None = None) -> bool:
    """Render a version's documents again with its alias and the forced promotions as they are now.
    False when the version has no documents (trained before they existed)."""
    client = client or MlflowClient()
    run_id = client.get_model_version(MODEL_NAME, version).run_id
    if run_id is None:
        return False
    try:
        text = mlflow.artifacts.load_text(f"runs:/{run_id}/{INPUTS_ARTIFACT}")
    except (OSError, mlflow.exceptions.MlflowException):
        return False
    inputs = documents.DocumentInputs.from_json(text)
    champion = alias_version(CHAMPION, client)
    inputs.status = CHAMPION if champion is not None and str(champion.version) == str(version) else inputs.status
    inputs.promotions = forced_promotions(client)
    log(inputs, run_id, client)
    return True


def _tables(audit) -> dict[str, pd.DataFrame]:
    """The run's fairness tables, as they come: one frame, or a dict of titled frames."""
    if isinstance(audit, dict):
        return {str(t): f if isinstance(f, pd.DataFrame) else pd.DataFrame(f) for t, f in audit.items()}
    return {"Fairness audit by group": audit} if audit is not None and len(audit) else {}


def document_training(logged: dict, *, known, weekly: pd.DataFrame, placements: pd.DataFrame, persons: pd.DataFrame,
                      model, features: list[str], k: int, as_of, unknown_reasons: str, audit,
                      feature_list: list[dict], metadata: dict, accountability: Accountability | None = None,
                      client: MlflowClient | None = None) -> dict[str, pd.DataFrame]:
    """The checks on the backtest's test rows with the registered model, logged as CSV with the run, and
    the three documents. `logged` is what `training.train._log` returns."""
    client = client or MlflowClient()
    accountability = accountability or Accountability()
    config = governance_config.load()
    summary = logged["summary"]
    test_rows = weekly[weekly["as_of"].isin(pd.to_datetime(summary["test_dates"]))].reset_index(drop=True)
    evidence = checks(known, weekly, test_rows, persons_by_placement(placements, persons), features,
                      lambda X: model.predict_risks(X)["risk_52w"].to_numpy(), k, as_of, config)
    for name, frame in evidence.items():
        client.log_text(logged["run_id"], frame.to_csv(index=False), f"governance/{name}.csv")
    inputs = documents.DocumentInputs(
        version=str(logged["version"]), model=summary["model"], run_id=logged["run_id"], train_as_of=str(as_of),
        data_from=str(weekly["as_of"].min().date()), data_to=str(weekly["as_of"].max().date()),
        test_dates=list(summary["test_dates"]), k=k, unknown_reasons=unknown_reasons, features=feature_list,
        metrics=summary["champion"], baselines=summary["baselines"], oracle=summary.get("oracle"),
        accountable_role=accountability.accountable_role, audit_legal_basis=accountability.audit_legal_basis,
        contact=accountability.contact, organisation=accountability.organisation,
        dpia_reference=metadata.get("dpia_reference"), special_columns=list(metadata.get("special_columns") or []),
        tables=_tables(audit), governance_version=config.version, notes=list(summary.get("notes") or []),
        **{name: evidence[name] for name in ("proxy", "flips", "profile_swaps", "label_audit")})
    document_version(logged, inputs, client)
    return evidence
