"""Each contract rule: a good row passes, a bad row of each kind is rejected with its rule."""

import pandas as pd
import pytest

from lks.data_contracts import rules
from lks.data_contracts.validate import Parents, validate_export
from tests.exports import GOOD, row, write_export


def rejected(tmp_path, **tables):
    export = validate_export(write_export(tmp_path / "export", **tables))
    return export, export.rejected


def test_the_good_export_passes(tmp_path):
    export, bad = rejected(tmp_path)
    assert bad.empty
    assert {t: len(f) for t, f in export.tables.items()} == dict.fromkeys(GOOD, 1)


def test_typed_values(tmp_path):
    export, _ = rejected(tmp_path)
    person = export.tables["persons"].iloc[0]
    assert person["birth_year"] == 1990
    assert person["target_group_register"] is True or person["target_group_register"] == True  # noqa: E712
    assert not person["debt_problems"] and not person["childcare_need"]  # FALSE and 0
    placement = export.tables["placements"].iloc[0]
    assert placement["start_date"] == pd.Timestamp("2024-01-08")
    assert placement["registered_at"] == pd.Timestamp("2024-02-03T10:15:00")


BAD_ROWS = [
    ("persons", {"birth_year": "1890"}, rules.RANGE),
    ("persons", {"birth_year": "19x0"}, rules.TYPE),
    ("persons", {"gender": "m"}, rules.ALLOWED_VALUES),  # enums are case-sensitive
    ("persons", {"debt_problems": "ja"}, rules.TYPE),
    ("persons", {"district": ""}, rules.REQUIRED),
    ("persons", {"registered_at": "2024-01-02 09:00:00"}, rules.TYPE),
    ("persons", {"registered_at": "2024-01-32T09:00:00"}, rules.IMPOSSIBLE_DATE),
    ("employers", {"sector": "Horeca"}, rules.ALLOWED_VALUES),
    ("employers", {"harrie_training_date": "2023-02-29"}, rules.IMPOSSIBLE_DATE),
    ("placements", {"hours_per_week": "55"}, rules.RANGE),
    ("placements", {"hours_per_week": "abc"}, rules.TYPE),
    ("placements", {"wage_value_pct": "-1"}, rules.RANGE),
    ("placements", {"months_on_benefit_before": "-3"}, rules.RANGE),
    ("placements", {"start_date": "2024-02-30"}, rules.IMPOSSIBLE_DATE),
    ("placements", {"start_date": "08-01-2024"}, rules.TYPE),
    ("placements", {"lks_start_date": "2024-01-01"}, rules.DATE_ORDER),
    ("placements", {"lks_start_date": "2024-09-01"}, rules.LKS_START_WINDOW),
    ("placements", {"planned_end_date": ""}, rules.PLANNED_END_REQUIRED),
    ("placements", {"planned_end_date": "2023-01-01"}, rules.DATE_ORDER),
    ("placements", {"person_id": "P404"}, rules.UNKNOWN_PARENT),
    ("placements", {"employer_id": "W404"}, rules.UNKNOWN_PARENT),
    ("placements", {"team": ""}, rules.REQUIRED),
    ("events", {"event_type": "ziekmelding"}, rules.ALLOWED_VALUES),
    ("events", {"value_text": "slecht"}, rules.ALLOWED_VALUES),
    ("events", {"event_type": "wage_value_assessment", "value_num": "120", "value_text": ""}, rules.RANGE),
    ("events", {"event_type": "hours_change", "value_num": "", "value_text": ""}, rules.RANGE),
    ("events", {"event_type": "contract_extension", "value_text": "volgend jaar"}, rules.TYPE),
    ("events", {"registered_at": "2024-03-01T10:00:00"}, rules.DATE_ORDER),  # before event_date
    ("events", {"event_date": "2024-01-01", "registered_at": "2024-01-02T00:00:00"}, rules.DATE_ORDER),
    ("events", {"placement_id": "PL404"}, rules.UNKNOWN_PARENT),
    ("endings", {"reason_code": "ontslag"}, rules.ALLOWED_VALUES),
    ("endings", {"registration": "Legacy"}, rules.ALLOWED_VALUES),
    ("endings", {"end_date": "2023-12-31"}, rules.DATE_ORDER),
    ("endings", {"placement_id": "PL404"}, rules.UNKNOWN_PARENT),
]


@pytest.mark.parametrize(("table", "changes", "rule"), BAD_ROWS, ids=[f"{t}-{r}-{'-'.join(c)}" for t, c, r in BAD_ROWS])
def test_a_bad_row_is_rejected_with_its_rule(tmp_path, table, changes, rule):
    good = {**GOOD[table]}
    key = next(iter(good))
    if table == "endings":
        # a second placement to end, so the good ending stays valid
        placements = [row("placements"), row("placements", placement_id="PL2")]
        bad = row(table, **{"placement_id": "PL2", **changes})
        export, rejections = rejected(tmp_path, placements=placements, endings=[good, bad])
    else:
        bad = row(table, **{key: good[key] + "b", **changes})
        export, rejections = rejected(tmp_path, **{table: [good, bad]})
    assert rejections[["table", "line", "rule"]].values.tolist() == [[table, 3, rule]]
    assert len(export.tables[table]) == 1  # the rest of the file loads
    assert rejections["message"].iloc[0]


def test_a_duplicate_key_rejects_every_row_with_it(tmp_path):
    events = [row("events"), row("events", event_date="2024-03-05"), row("events", event_id="E2")]
    export, bad = rejected(tmp_path, events=events)
    assert bad[["line", "rule"]].values.tolist() == [[2, rules.DUPLICATE_KEY], [3, rules.DUPLICATE_KEY]]
    assert export.tables["events"]["event_id"].tolist() == ["E2"]


def test_two_endings_for_one_placement_reject_both(tmp_path):
    endings = [row("endings"), row("endings", end_date="2024-07-01")]
    export, bad = rejected(tmp_path, endings=endings)
    assert set(bad["rule"]) == {rules.DUPLICATE_KEY} and len(bad) == 2
    assert export.tables["endings"].empty


def test_a_child_of_a_rejected_parent_is_rejected_with_its_own_rule(tmp_path):
    persons = [row("persons", gender="Q")]
    export, bad = rejected(tmp_path, persons=persons)
    assert bad[["table", "rule"]].values.tolist() == [
        ["persons", rules.ALLOWED_VALUES],
        ["placements", rules.PARENT_REJECTED],
        ["events", rules.PARENT_REJECTED],
        ["endings", rules.PARENT_REJECTED],
    ]


def test_a_line_with_the_wrong_number_of_fields(tmp_path):
    folder = write_export(tmp_path / "export")
    with open(folder / "events.csv", "a", encoding="utf-8") as fh:
        fh.write("E9,PL1,2024-03-04\n")
    export, bad = validate_export(folder), None
    bad = export.rejected
    assert bad[["line", "rule"]].values.tolist() == [[3, rules.FIELD_COUNT]]
    assert len(export.tables["events"]) == 1


def test_parents_may_come_from_the_store(tmp_path):
    folder = write_export(tmp_path / "export", persons=[], employers=[], placements=[],
                          events=[row("events")], endings=[])
    stored = Parents(placement_start=pd.Series({"PL1": pd.Timestamp("2024-01-08")}))
    export = validate_export(folder, stored)
    assert export.rejected.empty and len(export.tables["events"]) == 1
    early = validate_export(folder, Parents(placement_start=pd.Series({"PL1": pd.Timestamp("2024-06-01")})))
    assert early.rejected["rule"].tolist() == [rules.DATE_ORDER]


def chunked_export(tmp_path):
    """Events that span chunks of two rows: a key repeated far apart, a value over two lines, a short line."""
    folder = write_export(tmp_path / "export", events=[
        row("events", event_id="E1"),
        row("events", event_id="E2", value_text="zorgelijk"),
        row("events", event_id="E3", event_type="employer_signal", value_text="twee\nregels, met komma"),
        row("events", event_id="E4", value_text="slecht"),
        row("events", event_id="E1", event_date="2024-03-05", registered_at="2024-03-07T16:00:00"),
        row("events", event_id="E5"),
    ])
    with open(folder / "events.csv", "a", encoding="utf-8") as fh:
        fh.write("E9,PL1,2024-03-04\n")
    return folder


def test_chunks_of_two_rows_validate_as_the_whole_file(tmp_path, monkeypatch):
    """A national export streams through in chunks: a repeated key, a line number after a value over two lines
    and a short line come out as when every file is read at once."""
    from lks.data_contracts import parse

    folder = chunked_export(tmp_path)
    whole = validate_export(folder)
    monkeypatch.setattr(parse, "CHUNK_ROWS", 2)
    chunked = validate_export(folder)
    assert chunked.rejected[["line", "rule", "message"]].values.tolist() == [
        [2, rules.DUPLICATE_KEY, "event_id: field_uniqueness"],
        [6, rules.ALLOWED_VALUES, "value_text is not allowed for this event_type"],
        [7, rules.DUPLICATE_KEY, "event_id: field_uniqueness"],
        [9, rules.FIELD_COUNT, "3 fields, the header has 7"],
    ]
    pd.testing.assert_frame_equal(chunked.rejected.sort_values("line", ignore_index=True),
                                  whole.rejected.sort_values("line", ignore_index=True))
    for table in whole.tables:
        pd.testing.assert_frame_equal(chunked.tables[table], whole.tables[table])
    assert chunked.tables["events"]["event_id"].tolist() == ["E2", "E3", "E5"]
    assert chunked.tables["events"]["source_line"].tolist() == [3, 4, 8]
