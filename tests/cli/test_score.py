import pandas as pd
import pytest

from lks.cli.score import write_after_audit


def test_the_file_is_written_only_after_its_audit_record(tmp_path):
    frame = pd.DataFrame({"placement_id": ["PL1", "PL2"], "risk_13w": [0.1, 0.2]})
    out = tmp_path / "out" / "list.csv"
    seen_at_record = []
    write_after_audit(frame, out, lambda: seen_at_record.append(out.exists()))
    assert seen_at_record == [False] and pd.read_csv(out).equals(frame)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_no_file_is_left_when_the_audit_record_fails(tmp_path, suffix):
    def failing_record():
        raise RuntimeError("database unavailable")

    with pytest.raises(RuntimeError):
        write_after_audit(pd.DataFrame({"placement_id": ["PL1"]}), tmp_path / f"list{suffix}", failing_record)
    assert list(tmp_path.iterdir()) == []
