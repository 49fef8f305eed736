"""The documents an auditor reads, generated for every registered model version.

Three documents, logged with the version's run: `model_card.md` (the sections of Mitchell et al.,
"Model Cards for Model Reporting", 2019), `technical_file.md` (the headings of Annex IV of the AI Act,
Regulation (EU) 2024/1689, with a summary for the fundamental-rights impact assessment of art. 27) and
the entry for the Dutch algorithm register (`register`). They are rendered from `DocumentInputs`,
logged as `documents/inputs.json` too, so a promotion renders them again with its record.

Tables come in as plain DataFrames: whatever fairness tables the run has are rendered as they are.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

MISSING = "not set"
NAMES = {"blend": "a blend of a LightGBM classifier, a discrete-time competing-risk survival model and a penalised "
                  "logistic regression", "lightgbm": "a LightGBM classifier (calibrated)",
         "survival": "a discrete-time competing-risk survival model (LightGBM hazards)",
         "logistic": "a penalised logistic regression (a baseline, registered because no candidate beat it)",
         "tenure_rate": "the base rate of uitval by tenure week (a baseline)",
         "current_practice": "today's practice: a flag after a sick report or a worrying contact (a baseline)"}
METRICS = {"roc_auc_13w": "ROC AUC, uitval within 13 weeks", "roc_auc_52w": "ROC AUC, uitval in the first year",
           "pr_auc_52w": "PR AUC, first year", "brier_52w": "Brier score, first year",
           "ece_52w": "Expected calibration error, first year", "precision_at_k": "Precision in the weekly top k",
           "recall_at_k": "Recall in the weekly top k"}


@dataclass
class DocumentInputs:
    version: str
    model: str
    run_id: str
    train_as_of: str
    data_from: str                      # first and last weekly as-of date the training data covers
    data_to: str
    test_dates: list[str]
    k: int
    unknown_reasons: str
    features: list[dict]                # name, meaning, role
    metrics: dict[str, float]           # the model's pooled backtest metrics
    baselines: dict[str, dict[str, float]]
    accountable_role: str | None = None
    audit_legal_basis: str | None = None
    organisation: str = "Gemeente Rotterdam"
    contact: str | None = None
    status: str = "challenger"          # the alias it holds: champion, challenger
    dpia_reference: str | None = None
    special_columns: list[str] = field(default_factory=list)
    oracle: dict[str, float] | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)   # title -> fairness or gate table
    proxy: pd.DataFrame = field(default_factory=pd.DataFrame)
    flips: pd.DataFrame = field(default_factory=pd.DataFrame)
    profile_swaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    label_audit: pd.DataFrame = field(default_factory=pd.DataFrame)
    promotions: list[dict] = field(default_factory=list)            # forced promotions, each with its reason
    governance_version: str = ""
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        plain = {k: v for k, v in asdict(self).items() if not isinstance(v, pd.DataFrame) and k != "tables"}
        frames = {k: _records(getattr(self, k)) for k in ("proxy", "flips", "profile_swaps", "label_audit")}
        return json.dumps({**plain, **frames, "tables": {t: _records(f) for t, f in self.tables.items()}},
                          indent=1, default=str)

    @classmethod
    def from_json(cls, text: str) -> DocumentInputs:
        raw = json.loads(text)
        for key in ("proxy", "flips", "profile_swaps", "label_audit"):
            raw[key] = pd.DataFrame(raw.get(key) or [])
        raw["tables"] = {t: pd.DataFrame(r) for t, r in (raw.get("tables") or {}).items()}
        return cls(**raw)


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", date_format="iso")) if len(frame) else []


def number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, list | tuple):
        return ", ".join(number(v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {number(v)}" for k, v in value.items())
    return str(value).replace("|", "/").replace("\n", " ")


def table(frame: pd.DataFrame, columns: dict[str, str] | None = None) -> str:
    """A Markdown table of `frame` (all columns, or `columns`: column -> header); "–" for missing."""
    if frame is None or not len(frame):
        return "_No rows._\n"
    columns = columns or {c: c.replace("_", " ") for c in frame.columns}
    columns = {c: h for c, h in columns.items() if c in frame.columns}
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(number(_plain(row[c])) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def _plain(value):
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return value
    return value


def _metric_table(inputs: DocumentInputs) -> str:
    models = {f"{inputs.model} (this version)": inputs.metrics, **inputs.baselines}
    if inputs.oracle:
        models["oracle (true simulated risk)"] = inputs.oracle
    frame = pd.DataFrame([{"metric": label, **{m: v.get(key) for m, v in models.items()}}
                          for key, label in METRICS.items()])
    return table(frame, {"metric": "metric", **{m: m for m in models}})


def _proxy_text(inputs: DocumentInputs) -> str:
    if not len(inputs.proxy):
        return "The proxy test was not run for this version.\n"
    frame = inputs.proxy.assign(top_inputs=[", ".join(f"{t['input']} ({t['auc_drop']:.3f})" for t in tops)
                                            for tops in inputs.proxy["top_inputs"]])
    flagged = frame[frame["flagged"].astype(bool)]
    lead = (f"{len(flagged)} of {len(frame)} attributes can be predicted from the model's inputs at or above the "
            f"configured flag (macro ROC AUC {number(float(frame['flag_auc'].iloc[0]))}, configuration "
            f"{inputs.governance_version or MISSING}): {', '.join(flagged['attribute']) or 'none'}. ")
    return lead + ("Chance is an AUC of 0.5. A flagged attribute is not used by the model, but its inputs carry it: "
                   "check the fairness tables for that attribute closely.\n\n") + table(frame, {
        "attribute": "attribute", "n_placements": "placements", "n_groups": "groups", "roc_auc": "macro ROC AUC",
        "balanced_accuracy": "balanced accuracy", "chance_balanced_accuracy": "chance", "flagged": "flagged",
        "top_inputs": "inputs carrying most of it (AUC drop)"})


def _flip_text(inputs: DocumentInputs) -> str:
    if not len(inputs.flips):
        return "The flip test was not run for this version.\n"
    top = inputs.flips.head(15)
    first = top.iloc[0]
    lead = (f"Changing one input at a time on {number(int(first['n_rows']))} backtest rows, the input that moves the "
            f"risk most is `{first['input']}`: a median absolute change of {number(float(first['median_abs_change']))}"
            f" (at most {number(float(first['max_abs_change']))}), and {float(first['share_list_changed']):.1%} of "
            "the rows enter or leave their week's list under at least one of its values. The 15 inputs that move "
            "the risk most:\n\n")
    out = lead + table(top, {"input": "input", "median_abs_change": "median |change in risk|",
                             "max_abs_change": "max |change in risk|", "share_list_changed": "share of rows whose "
                             "list place changes"})
    if len(inputs.profile_swaps):
        out += ("\nTypical profiles: every row given the typical values of the inputs that proxy an attribute, "
                "group by group (a shift in mean risk is how differently the model treats that profile):\n\n")
        out += table(inputs.profile_swaps, {"attribute": "attribute", "group": "group",
                                            "median_abs_change": "median |change|", "max_abs_change": "max |change|",
                                            "share_list_changed": "list place changes",
                                            "mean_risk_before": "mean risk before",
                                            "mean_risk_after": "mean risk after"})
    return out


def _label_text(inputs: DocumentInputs) -> str:
    audit = inputs.label_audit
    if not len(audit):
        return "The label audit by group was not run for this version.\n"
    shares = [c for c in audit.columns if c.startswith("uitval_share__")]
    judged = audit[audit["endings"] >= 20]
    worst = judged.loc[judged["onbekend_share"].idxmax()] if len(judged) else None
    lead = ("Per group: how many endings carry the reason `onbekend`, how many test rows the evaluation leaves "
            "out because their label rests on such an ending, and the share of uitval each unknown-reason "
            "strategy gives the test rows. ")
    if worst is not None:
        lead += (f"The highest share of `onbekend` endings (groups with at least 20 endings) is "
                 f"{float(worst['onbekend_share']):.1%} for {worst['attribute']} = {worst['group']}. ")
    columns = {"attribute": "attribute", "group": "group", "placements": "placements", "endings": "endings",
               "onbekend_share": "share onbekend", "eval_on_onbekend": "test rows resting on onbekend",
               "eval_left_out": "test rows left out",
               "left_out_share": "share left out", **{c: "uitval share, " + c.split("__")[1] for c in shares}}
    return lead + "\n\n" + table(audit, columns)


def _fairness_text(inputs: DocumentInputs) -> str:
    if not inputs.tables:
        return ("**No fairness audit tables were recorded with this version.** Without them, nobody can say "
                "whether the list catches uitval equally across groups; the version should not be used.\n")
    return "\n".join(f"#### {title}\n\n{table(frame)}" for title, frame in inputs.tables.items())


def _promotion_text(inputs: DocumentInputs) -> str:
    if not inputs.promotions:
        return "No version of this model has been promoted past a failed gate.\n"
    rows = pd.DataFrame(inputs.promotions)
    return ("These promotions overrode failed gates; each names who did it and why:\n\n"
            + table(rows, {"version": "version", "promoted_at": "promoted at", "promoted_by": "by",
                           "failed_gates": "gates failed", "reason": "reason given"}))


def _inputs_text(inputs: DocumentInputs) -> str:
    special = ", ".join(inputs.special_columns)
    frame = pd.DataFrame(inputs.features)
    text = (f"The model reads {len(inputs.features)} inputs about the placement, the employer, the support and "
            "the course so far. Protected attributes (birth year and age, gender, migration background, Dutch "
            "language level) and the district are never inputs; they are used only to audit the model. ")
    text += (f"Special-category data ({special}) are inputs under DPIA reference {inputs.dpia_reference}.\n\n"
             if special else "No special-category data (such as health) are inputs.\n\n")
    return text + table(frame, {"name": "input", "meaning": "meaning", "role": "role"})


def model_card(inputs: DocumentInputs) -> str:
    """The model card: Mitchell et al.'s nine sections, with this version's numbers."""
    m = inputs.metrics
    first, last = (inputs.test_dates[0], inputs.test_dates[-1]) if inputs.test_dates else (MISSING, MISSING)
    return f"""# Model card: lks-uitval version {inputs.version}

## Model details

Version {inputs.version} of lks-uitval is {NAMES.get(inputs.model, inputs.model)}, trained on the data as known on
{inputs.train_as_of} (MLflow run `{inputs.run_id}`). It estimates, for every running placement with wage-cost subsidy
(loonkostensubsidie) in its first year, the probability of uitval within 13 weeks and before the end of the first year.
Developed by the municipality's data team; accountable role: **{inputs.accountable_role or MISSING}**. It holds the
registry alias `{inputs.status}`.

## Intended use

The coordinator Uitval and the job coaches use the weekly list of the {inputs.k} placements with the highest risk to
offer support in time: extra job coaching, a new wage-value assessment, adjusted tasks, help moving to other work,
training for employers, debt counselling. **The scores are advice to offer support, never grounds for sanctions, and
never a decision: a person decides.** Out of scope: any use for enforcement, benefits, or judging individuals
outside this support process.

## Factors

The audit looks at gender, migration background, Dutch language level, age band (from the birth year, on each test
date) and district, because an earlier municipal risk model was stopped when exactly these steered who was flagged.
None of them is a model input; the proxy test below measures how much of them the inputs carry anyway.

## Metrics

Precision and recall in the weekly top {inputs.k} are what the coordinator experiences: how many of the listed
placements would have failed, and how much of all uitval the list reaches. ROC AUC measures ranking over all
placements, the Brier score and the expected calibration error whether a risk of 30% means 30%. By group: share
listed, recall, false positive rate, precision and calibration (see the quantitative analyses).

## Evaluation data

A temporal backtest: {len(inputs.test_dates)} weekly test dates from {first} to {last}, each scored by models
trained only on what was known before it and judged on what happened afterwards. How many test rows have a first-year
label resting on an ending with reason `onbekend`, and how many the evaluation leaves out, is in the label audit.

## Training data

Weekly rows of every placement in its first year, from {inputs.data_from} to {inputs.data_to}, as registered in the
municipality's export (placements, persons, employers, events, endings). Legacy endings often carry the reason
`onbekend`; the strategy used for them in training is `{inputs.unknown_reasons}`.

{_inputs_text(inputs)}
## Quantitative analyses

On the test dates, the model's ROC AUC for uitval in the first year is {number(m.get('roc_auc_52w'))} and its precision
in the weekly top {inputs.k} is {number(m.get('precision_at_k'))}, against the baselines below:

{_metric_table(inputs)}
### Fairness audit by group

{_fairness_text(inputs)}
### Proxy test

{_proxy_text(inputs)}
### Flip tests

{_flip_text(inputs)}
### Labels by group

{_label_text(inputs)}
## Ethical considerations

Being on the list means being offered support; not being on it must never mean losing support someone asks for.
Risks can still be wrong by group even when no protected attribute is an input: the fairness audit, the proxy test
and the flip tests exist to find that. The protected attributes are processed only for this audit, on the legal basis:
{inputs.audit_legal_basis or MISSING}.

Promotions past failed gates:

{_promotion_text(inputs)}
## Caveats and recommendations

- Most legacy endings carry the reason `onbekend`; labels before May 2025 partly rest on an estimate.
- The export does not show everything that drives uitval (the fit between person and job, the employer's guidance):
  even the best model on these data stays below the true risk.
- A score is a probability, not a certainty. Recheck the fairness tables at every retraining.
{''.join(f'- {n}' + chr(10) for n in inputs.notes)}"""


def technical_file(inputs: DocumentInputs) -> str:
    """Technical documentation under the headings of Annex IV of the AI Act, with a FRIA summary."""
    m = inputs.metrics
    return f"""# Technical file: lks-uitval version {inputs.version}

Technical documentation under Annex IV of Regulation (EU) 2024/1689 (AI Act). The system is high-risk (Annex III,
point 5(a): public authorities evaluating eligibility for and the provision of public assistance services; and
point 4 where it steers support in employment). Accountable role: **{inputs.accountable_role or MISSING}**.

## 1. General description of the AI system

Intended purpose: a weekly early-warning list for placements with wage-cost subsidy in their first year, so the
coordinator Uitval and the job coaches can offer support in time. Provider and deployer: {inputs.organisation}.
Version {inputs.version}, MLflow run `{inputs.run_id}`, trained on data as known on {inputs.train_as_of}. It runs as a
Python service (FastAPI) inside the municipality; users see the list, one placement with its explanation, and the model
card page `/modelkaart`. Instructions for use: the list is advice; a person decides and records what was done.

## 2. Detailed description of the elements and of the development process

Model: {NAMES.get(inputs.model, inputs.model)}. Chosen among candidates in a temporal backtest: it must beat every
baseline (tenure rate, penalised logistic regression, today's practice) on ROC AUC and precision at k.
Data: {len(inputs.features)} inputs built point-in-time from the export (nothing registered after a row's date is
used); training data from {inputs.data_from} to {inputs.data_to}; unknown end reasons handled with the strategy
`{inputs.unknown_reasons}`. Special-category data: {', '.join(inputs.special_columns) or 'none'}
{f'(DPIA reference {inputs.dpia_reference})' if inputs.dpia_reference else ''}. Human oversight (art. 14): every
listed placement is reviewed by a job coach, who records an action or why none is taken; the scores are never used
for sanctions. Validation: the backtest below and the fairness gates applied before promotion.

## 3. Monitoring, functioning and control

Performance on {len(inputs.test_dates)} weekly test dates: ROC AUC first year {number(m.get('roc_auc_52w'))}, precision
in the top {inputs.k} {number(m.get('precision_at_k'))}, recall in the top {inputs.k} {number(m.get('recall_at_k'))},
expected calibration error {number(m.get('ece_52w'))}.

{_metric_table(inputs)}
Accuracy for groups of persons (fairness audit):

{_fairness_text(inputs)}
Foreseeable unintended outcomes and sources of risk: inputs that proxy protected attributes, and labels that rest on
unknown end reasons more for some groups than for others.

{_proxy_text(inputs)}
{_label_text(inputs)}
## 4. Appropriateness of the performance metrics

The coordinator can take up {inputs.k} placements a week, so precision and recall in the weekly top {inputs.k} measure
what the list achieves; calibration matters because the risk is shown as a probability; recall by group shows
whether the list reaches each group's uitval equally.

## 5. Risk management system (art. 9)

Gates before a version becomes champion (fairness by group, calibration, beating today's practice and every baseline,
special-category inputs only with a DPIA). Sensitivity to single inputs:

{_flip_text(inputs)}
## 6. Changes through the lifecycle

Every retraining registers a new version with its own documents; the alias `champion` moves only through the gates or
by a recorded, forced promotion.

{_promotion_text(inputs)}
## 7. Harmonised standards applied

None applied yet: no harmonised standard under the AI Act has been published for this kind of system.

## 8. EU declaration of conformity

Not yet drawn up: it is for the accountable role to sign once the conformity assessment is done.

## 9. Post-market monitoring

Each version is retrained on newer data and backtested again; the audit log records every view of a placement; the
fairness, proxy and label tables are recomputed at every retraining and compared with the champion's. In use,
`lks monitor` judges the stored lists once their outcomes are known (calibration, precision and recall at k with and
without a recorded intervention, recall by protected group and district, drift of every input and of the scores,
decisions within two weeks by team, the weekly random steekproef below the cut) against the thresholds of the
service's versioned `monitoring.yaml`, and exits non-zero when one is crossed; every run is stored, and the newest
are shown on the model page (/modelkaart) and as Prometheus gauges (/metrics).

## Summary for the fundamental-rights impact assessment (art. 27)

- Process and purpose: early support for placements at risk of uitval, weekly, by the coordinator Uitval and job
  coaches.
- Period and frequency: weekly lists while the placement is in its first year.
- Persons affected: people on a placement with wage-cost subsidy; indirectly their employers.
- Specific risks: unequal reach of support across gender, migration background, language level, age and district
  (see the fairness audit and the proxy test); being listed felt as suspicion; errors in legacy end reasons.
- Human oversight: a job coach reviews every listed placement; nothing happens automatically.
- When risks materialise: the version is not promoted, or is withdrawn; people can object through the municipality.
- Legal basis for processing protected attributes for the audit (AI Act art. 10(5)):
  {inputs.audit_legal_basis or MISSING}.

What this assessment still needs from people: the views of the people on the list and of the job coaches; the
municipality's judgement of whether the remaining differences between groups are acceptable; the signed legal basis
and DPIA; the complaint procedure; the decision of the accountable role ({inputs.accountable_role or MISSING}).
"""
