import re

import pandas as pd

from lks.training.documents import DocumentInputs, model_card, table, technical_file

MITCHELL = ["Model details", "Intended use", "Factors", "Metrics", "Evaluation data", "Training data",
            "Quantitative analyses", "Ethical considerations", "Caveats and recommendations"]
ANNEX_IV = ["1. General description of the AI system", "2. Detailed description of the elements",
            "3. Monitoring, functioning and control", "4. Appropriateness of the performance metrics",
            "5. Risk management system", "6. Changes through the lifecycle", "7. Harmonised standards",
            "8. EU declaration of conformity", "9. Post-market monitoring",
            "Summary for the fundamental-rights impact assessment"]


def inputs(**changes) -> DocumentInputs:
    metrics = {"roc_auc_13w": 0.781, "roc_auc_52w": 0.7634, "pr_auc_52w": 0.41, "brier_52w": 0.12, "ece_52w": 0.0271,
               "precision_at_k": 0.4467, "recall_at_k": 0.18}
    base = dict(
        version="12", model="blend", run_id="abc123", train_as_of="2026-11-22", data_from="2019-01-07",
        data_to="2026-11-16", test_dates=["2025-03-31", "2025-09-22"], k=25, unknown_reasons="weighted",
        features=[{"name": "hours_per_week", "meaning": "Hours per week in the contract", "role": "feature"}],
        metrics=metrics, baselines={"current_practice": {**metrics, "precision_at_k": 0.2213}},
        accountable_role="Directeur Werk en Inkomen", audit_legal_basis="AVG art. 9 lid 2 sub g met AI-verordening "
        "art. 10 lid 5", contact="algoritmes@rotterdam.nl", status="champion",
        tables={"Recall by gender": pd.DataFrame({"group": ["V", "M"], "recall": [0.3012, 0.1398],
                                                  "judged": [True, True]})},
        proxy=pd.DataFrame([{"attribute": "gender", "n_placements": 3011, "n_groups": 2, "roc_auc": 0.7123,
                             "balanced_accuracy": 0.66, "chance_balanced_accuracy": 0.5, "flagged": True,
                             "top_inputs": [{"input": "sector", "auc_drop": 0.0832}], "flag_auc": 0.64,
                             "groups_left_out": []}]),
        flips=pd.DataFrame([{"input": "sick_reports_4w", "values": ["0", "3"], "median_abs_change": 0.0456,
                             "max_abs_change": 0.3121, "share_list_changed": 0.087, "n_rows": 1500}]),
        label_audit=pd.DataFrame([{"attribute": "gender", "group": "V", "placements": 1400, "endings": 700,
                                   "onbekend_endings": 301, "onbekend_share": 0.43, "eval_rows": 6000,
                                   "eval_left_out": 512, "left_out_share": 0.0853, "uitval_share__as_uitval": 0.3112,
                                   "uitval_share__exclude": 0.2044}]),
        promotions=[{"version": "9", "promoted_at": "2026-06-01T10:00:00", "promoted_by": "ds",
                     "failed_gates": "recall ratio gender 0.61", "reason": "wethouder besloot na overleg"}],
        governance_version="2026.1")
    return DocumentInputs(**{**base, **changes})


def headings(markdown: str) -> list[str]:
    return re.findall(r"^#+ (.+)$", markdown, flags=re.M)


def test_the_model_card_has_mitchells_sections_in_order_with_the_runs_numbers():
    card = model_card(inputs())
    found = [h for h in headings(card) if h in MITCHELL]
    assert found == MITCHELL
    for text in ("0.763", "0.447", "0.221", "Directeur Werk en Inkomen", "2019-01-07", "2026-11-16",
                 "AI-verordening art. 10 lid 5", "0.301", "0.140", "0.712", "sector (0.083)", "sick_reports_4w",
                 "0.046", "8.7%", "43.0%", "0.311", "0.204", "wethouder besloot na overleg",
                 "never grounds for sanctions"):
        assert text in card, text
    assert "| V | 0.301 | yes |" in card  # the fairness table as a table
    assert "{" not in card and "nan" not in card.lower().replace("financ", "")


def test_the_technical_file_has_annex_iv_headings_and_what_people_must_still_supply():
    text = technical_file(inputs())
    for heading in ANNEX_IV:
        assert any(h.startswith(heading) for h in headings(text)), heading
    assert "What this assessment still needs from people" in text and "0.027" in text
    assert "wethouder besloot na overleg" in text and "0.712" in text


def test_missing_settings_and_tables_are_said_so_not_left_blank():
    card = model_card(inputs(accountable_role=None, audit_legal_basis=None, tables={}, proxy=pd.DataFrame(),
                             promotions=[]))
    assert "accountable role: **not set**" in card and "No fairness audit tables were recorded" in card
    assert "The proxy test was not run" in card and "No version of this model has been promoted past" in card


def test_inputs_survive_the_round_trip_through_json():
    original = inputs()
    again = DocumentInputs.from_json(original.to_json())
    assert model_card(again) == model_card(original) and technical_file(again) == technical_file(original)


def test_table_renders_missing_values_and_escapes_pipes():
    text = table(pd.DataFrame({"a": [1.23456, None], "b": ["x|y", "z"]}))
    assert text.splitlines() == ["| a | b |", "|---|---|", "| 1.235 | x/y |", "| – | z |"]
