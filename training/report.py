"""The evaluation report: one self-contained HTML file per training run.

Figures are rendered with matplotlib to PNG and embedded as base64, so the file can be mailed,
archived with the MLflow run, and opened anywhere without a server.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

HEADLINE = ["roc_auc_13w", "roc_auc_52w", "pr_auc_52w", "brier_52w", "ece_52w", "precision_at_k", "recall_at_k"]


@dataclass
class ReportInputs:
    title: str
    summary: dict[str, str]                      # what was trained, on what data
    pooled: dict[str, dict[str, float]]          # model name -> pooled metrics
    per_date: dict[str, pd.DataFrame]            # model name -> metrics per test date
    reliability: dict[str, pd.DataFrame]         # model name -> predicted/observed
    incidence: pd.DataFrame                      # week, cif_uitval, cif_neutral
    shap_summary: pd.DataFrame                   # feature, mean_abs_contribution
    strategies: pd.DataFrame = field(default_factory=pd.DataFrame)  # unknown-reason comparison
    fairness: pd.DataFrame = field(default_factory=pd.DataFrame)    # audit by protected ground
    notes: list[str] = field(default_factory=list)


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _metric_table(pooled: dict[str, dict[str, float]]) -> str:
    rows = []
    for name, m in pooled.items():
        cells = "".join(
            f"<td>{m.get(c, float('nan')):.3f}<br><small>[{m.get(c + '_lo', float('nan')):.3f}, "
            f"{m.get(c + '_hi', float('nan')):.3f}]</small></td>" for c in HEADLINE
        )
        rows.append(f"<tr><th>{html.escape(name)}</th>{cells}<td>{m.get('n_test_dates', '')}</td></tr>")
    head = "".join(f"<th>{c}</th>" for c in [*HEADLINE, "test dates"])
    return f"<table><tr><th>model</th>{head}</tr>{''.join(rows)}</table>"


def _over_dates(per_date: dict[str, pd.DataFrame], metric: str) -> str:
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for name, frame in per_date.items():
        ax.plot(pd.to_datetime(frame["as_of"]), frame[metric], marker="o", ms=3, label=name)
    ax.set_ylabel(metric)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _png(fig)


def _reliability(curves: dict[str, pd.DataFrame]) -> str:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    for name, c in curves.items():
        ax.plot(c["predicted"], c["observed"], marker="o", ms=3, label=name)
    ax.set_xlabel("predicted risk of uitval before week 52")
    ax.set_ylabel("observed share")
    ax.legend(fontsize=8)
    return _png(fig)


def _incidence(cif: pd.DataFrame) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.step(cif["week"], cif["cif_uitval"], where="post", label="uitval")
    ax.step(cif["week"], cif["cif_neutral"], where="post", label="neutral ending")
    ax.set_xlabel("weeks since start")
    ax.set_ylabel("cumulative incidence (Aalen-Johansen)")
    ax.legend()
    ax.grid(alpha=0.3)
    return _png(fig)


def _shap(summary: pd.DataFrame, top: int = 20) -> str:
    s = summary.sort_values("mean_abs_contribution").tail(top)
    fig, ax = plt.subplots(figsize=(6, 0.25 * len(s) + 1))
    ax.barh(s["feature"], s["mean_abs_contribution"])
    ax.set_xlabel("mean |SHAP contribution| (log-odds)")
    return _png(fig)


FAIRNESS_SHOWN = ["share_flagged", "recall", "fpr", "precision", "mean_predicted", "observed", "recall_ratio"]


def _fairness(table: pd.DataFrame) -> str:
    if table.empty:
        return "<p>No fairness audit: no test row with a label (the gates refuse such a model).</p>"
    head = "".join(f"<th>{c}</th>" for c in ["attribute", "group", "placements", "uitval", "judged", *FAIRNESS_SHOWN])
    rows = []
    for r in table.to_dict("records"):
        cells = "".join(f"<td>{r[c]:.3f}<br><small>[{r[c + '_lo']:.3f}, {r[c + '_hi']:.3f}]</small></td>"
                        for c in FAIRNESS_SHOWN)
        judged = "yes" if r["judged"] else "too small to judge"
        rows.append(f"<tr><td>{html.escape(str(r['attribute']))}</td><td>{html.escape(str(r['group']))}</td>"
                    f"<td>{r['n_placements']}</td><td>{r['n_uitval']}</td><td>{judged}</td>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def render(inputs: ReportInputs) -> str:
    summary = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in inputs.summary.items()
    )
    strategies = inputs.strategies.to_html(index=False, float_format="%.3f") if len(inputs.strategies) else "<p>-</p>"
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in inputs.notes)
    fairness = _fairness(inputs.fairness)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(inputs.title)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;margin:1em 0}} td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}
th{{background:#f4f4f4}} img{{max-width:100%}}</style></head><body>
<h1>{html.escape(inputs.title)}</h1><table>{summary}</table>
<h2>Pooled backtest metrics (mean over test dates, 95% bootstrap interval over dates)</h2>{_metric_table(inputs.pooled)}
<h2>Precision at k over the test weeks</h2>{_over_dates(inputs.per_date, "precision_at_k")}
<h2>ROC AUC (uitval before week 52) over the test weeks</h2>{_over_dates(inputs.per_date, "roc_auc_52w")}
<h2>Reliability</h2>{_reliability(inputs.reliability)}
<h2>Cumulative incidence of uitval and neutral endings by tenure</h2>{_incidence(inputs.incidence)}
<h2>What drives the risk (SHAP)</h2>{_shap(inputs.shap_summary)}
<h2>Unknown end reasons: strategies compared</h2>{strategies}
<h2>Fairness audit (protected grounds and district: audit only, never model inputs)</h2>
<p>Per group, over the test weeks, with the weekly top-k list as flagged: placements and placements with uitval,
share flagged, recall (share of its uitval the list catches), false positive rate, precision, mean predicted risk
against observed uitval, and the recall ratio to the largest judged group. Brackets: 95% bootstrap interval over
placements. Ties at the k boundary count against the group shown. Groups below the minimum in
training/config/gates.yaml are marked too small to judge.</p>
{fairness}
<h2>Notes</h2><ul>{notes}</ul></body></html>"""
