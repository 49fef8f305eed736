"""File-level rules: a file that cannot be read at all is refused with its name and reason."""

import pandas as pd
import pytest

from lks.data_contracts import rules
from lks.data_contracts.parse import FileRejected, parse_column, read_raw
from lks.data_contracts.schemas import columns
from lks.data_contracts.validate import validate_export
from tests.exports import write_export


def refusal(folder) -> FileRejected:
    with pytest.raises(FileRejected) as err:
        validate_export(folder)
    return err.value


def test_missing_file(tmp_path):
    folder = write_export(tmp_path / "x")
    (folder / "events.csv").unlink()
    err = refusal(folder)
    assert (err.file, err.rule) == ("events.csv", rules.MISSING_FILE)


def test_empty_file(tmp_path):
    folder = write_export(tmp_path / "x")
    (folder / "persons.csv").write_bytes(b"")
    assert refusal(folder).rule == rules.EMPTY_FILE


def test_not_utf8(tmp_path):
    folder = write_export(tmp_path / "x")
    text = (folder / "employers.csv").read_text(encoding="utf-8").replace("zorg", "zörg")
    (folder / "employers.csv").write_bytes(text.encode("latin-1"))
    err = refusal(folder)
    assert (err.file, err.rule) == ("employers.csv", rules.NOT_UTF8)


def test_a_byte_order_mark_is_fine(tmp_path):
    folder = write_export(tmp_path / "x")
    path = folder / "persons.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate_export(folder).rejected.empty


@pytest.mark.parametrize(("change", "rule"), [
    (lambda h: h.replace(",gender", ""), rules.MISSING_COLUMN),
    (lambda h: h + ",shoe_size", rules.UNKNOWN_COLUMN),
])
def test_wrong_columns(tmp_path, change, rule):
    folder = write_export(tmp_path / "x")
    path = folder / "persons.csv"
    header, *rest = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([change(header), *rest]) + "\n", encoding="utf-8")
    err = refusal(folder)
    assert (err.file, err.rule) == ("persons.csv", rule)
    assert "gender" in err.message or "shoe_size" in err.message


def test_columns_in_any_order(tmp_path):
    folder = write_export(tmp_path / "x")
    frame = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    frame[frame.columns[::-1]].to_csv(folder / "persons.csv", index=False)
    assert validate_export(folder).rejected.empty


def test_a_header_only_file_holds_zero_rows(tmp_path):
    folder = write_export(tmp_path / "x", events=[])
    export = validate_export(folder)
    assert export.rejected.empty and export.tables["events"].empty


def test_parquet_is_read_like_csv(tmp_path):
    folder = write_export(tmp_path / "x")
    frame = validate_export(folder).tables["placements"].drop(columns="source_line")
    (folder / "placements.csv").unlink()
    frame.to_parquet(folder / "placements.parquet")
    export = validate_export(folder)
    assert export.rejected.empty
    pd.testing.assert_frame_equal(export.tables["placements"].drop(columns="source_line"), frame)


@pytest.mark.parametrize(("kind", "text", "error"), [
    ("bool", "TRUE", ""), ("bool", "1", ""), ("bool", "yes", rules.TYPE),
    ("int", "12", ""), ("int", "1.5", rules.TYPE),
    ("float", "1.5", ""), ("float", "1,5", rules.TYPE), ("float", "nan", rules.TYPE), ("float", "inf", rules.TYPE),
    ("date", "2024-02-29", ""), ("date", "2023-02-29", rules.IMPOSSIBLE_DATE), ("date", "2024-2-1", rules.TYPE),
    ("timestamp", "2024-01-01T23:59:59", ""), ("timestamp", "2024-01-01T24:00:00", rules.IMPOSSIBLE_DATE),
    ("timestamp", "2024-01-01", rules.TYPE),
])
def test_parse_column(kind, text, error):
    _, errors = parse_column(pd.Series([text]), kind)
    assert errors.iloc[0] == error


@pytest.mark.parametrize("text", ["9223372036854775808", "-9223372036854775809", "9" * 30])
def test_an_int_beyond_64_bits_is_a_type_error_not_a_crash(text):
    """Found by the hostile-export properties: pandas refused the cast and ingest crashed."""
    values, errors = parse_column(pd.Series([text, "9223372036854775807", "", "-3"]), "int")
    assert errors.tolist() == [rules.TYPE, "", "", ""]
    assert values.iloc[1] == 2**63 - 1 and pd.isna(values.iloc[2]) and values.iloc[3] == -3


def test_a_repeated_header_name_refuses_the_file_even_when_no_row_fits_the_header(tmp_path):
    """Found by the hostile-export properties: with every row one field short of the header, the
    repeated name was merged away and the file loaded (all rows rejected) instead of being refused."""
    path = tmp_path / "endings.csv"
    path.write_text("placement_id,end_date,reason_code,registration,registered_at,end_date\n"
                    "PL1,2024-06-30,mismatch_taken,legacy,2024-07-15T11:00:00\n")
    with pytest.raises(FileRejected) as refused:
        read_raw(path, "endings", list(columns("endings")))
    assert refused.value.rule == rules.UNREADABLE
