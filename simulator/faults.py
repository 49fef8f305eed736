"""Bad rows for testing the validator: each injected row breaks exactly one contract rule.

Good rows are never changed or removed. About `rate` x (good rows of a table) new rows are
added, cycling through every rule that applies to the table, shuffled into the file; the
truth records each one as (file, physical line, rule), the header being line 1. Parents of a
`parent_rejected` row are injected rows rejected for a single-row rule; a `duplicate_key` adds
two new rows with one new key (or, for endings, two endings for one active placement).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from lks.data_contracts import rules
from lks.data_contracts.schemas import columns

# Injected rows whose rejection is a plain single-row rule: safe parents for parent_rejected.
_PARENT_SAFE = {rules.REQUIRED, rules.TYPE, rules.ALLOWED_VALUES, rules.RANGE, rules.IMPOSSIBLE_DATE}

KINDS = {
    "persons": [rules.FIELD_COUNT, rules.REQUIRED, rules.TYPE, rules.IMPOSSIBLE_DATE, rules.RANGE,
                rules.ALLOWED_VALUES, rules.DUPLICATE_KEY],
    "employers": [rules.FIELD_COUNT, rules.REQUIRED, rules.TYPE, rules.IMPOSSIBLE_DATE,
                  rules.ALLOWED_VALUES, rules.DUPLICATE_KEY],
    "placements": [rules.FIELD_COUNT, rules.REQUIRED, rules.TYPE, rules.IMPOSSIBLE_DATE,
                   rules.RANGE, rules.ALLOWED_VALUES, rules.DUPLICATE_KEY, rules.UNKNOWN_PARENT,
                   rules.DATE_ORDER, rules.LKS_START_WINDOW, rules.PLANNED_END_REQUIRED,
                   rules.PARENT_REJECTED],
    "events": [rules.FIELD_COUNT, rules.REQUIRED, rules.TYPE, rules.IMPOSSIBLE_DATE, rules.RANGE,
               rules.ALLOWED_VALUES, rules.DUPLICATE_KEY, rules.UNKNOWN_PARENT, rules.DATE_ORDER,
               rules.PARENT_REJECTED],
    "endings": [rules.FIELD_COUNT, rules.REQUIRED, rules.TYPE, rules.IMPOSSIBLE_DATE,
                rules.ALLOWED_VALUES, rules.DUPLICATE_KEY, rules.UNKNOWN_PARENT, rules.DATE_ORDER,
                rules.PARENT_REJECTED],
}
KEY_PREFIX = {"persons": "PF", "employers": "WF", "placements": "PLF", "events": "EF"}


def _shift(d: str, days: int) -> str:
    return (date.fromisoformat(d[:10]) + timedelta(days=days)).isoformat()


class _Injector:
    def __init__(self, rng: np.random.Generator, text: dict[str, pd.DataFrame], as_of: date):
        self.rng, self.text, self.as_of = rng, text, as_of
        self.cols = {t: list(columns(t)) for t in text}
        self.bad: dict[str, list[tuple[list[str], str]]] = {t: [] for t in text}
        self.counter = 0
        self.parents: dict[str, list[str]] = {"persons": [], "placements": []}
        self.ended = set(text["endings"]["placement_id"])
        self.free = [i for i, pid in enumerate(text["placements"]["placement_id"])
                     if pid not in self.ended]
        self.rng.shuffle(self.free)

    def new_key(self, table: str) -> str:
        self.counter += 1
        return f"{KEY_PREFIX[table]}{self.counter:06d}"

    def unknown_key(self, prefix: str) -> str:
        """A key that names no row anywhere (each one new, so unknown endings never collide)."""
        self.counter += 1
        return f"{prefix}{self.counter:06d}"

    def template(self, table: str) -> dict[str, str]:
        df = self.text[table]
        return dict(zip(self.cols[table], df.iloc[int(self.rng.integers(len(df)))], strict=True))

    def placement(self) -> dict[str, str]:
        return self.template("placements")

    def base_row(self, table: str) -> dict[str, str]:
        """A valid new row of `table` (a new key, existing good parents)."""
        if table in ("persons", "employers", "placements"):
            row = self.template(table)
            row[self.cols[table][0]] = self.new_key(table)
            return row
        pl = self.placement()
        when = _shift(pl["lks_start_date"], int(self.rng.integers(0, 30)))
        when = min(when, self.as_of.isoformat())
        when = max(when, pl["start_date"])
        if table == "events":
            return {"event_id": self.new_key("events"), "placement_id": pl["placement_id"],
                    "event_date": when, "event_type": "municipality_contact", "value_num": "",
                    "value_text": "neutraal", "registered_at": _shift(when, 1) + "T10:00:00"}
        if not self.free:
            raise ValueError("no active placement left for an injected ending")
        pl = dict(zip(self.cols["placements"], self.text["placements"].iloc[self.free.pop()],
                      strict=True))
        when = max(min(_shift(pl["start_date"], 20), self.as_of.isoformat()), pl["start_date"])
        reg = _shift(when, 2)
        return {"placement_id": pl["placement_id"], "end_date": when, "reason_code": "onbekend",
                "registration": "structured" if reg >= "2025-05-01" else "legacy",
                "registered_at": reg + "T10:00:00"}

    def add(self, table: str, row: dict[str, str] | list[str], rule: str) -> None:
        fields = row if isinstance(row, list) else [row[c] for c in self.cols[table]]
        self.bad[table].append((fields, rule))
        if rule in _PARENT_SAFE and table in self.parents:
            self.parents[table].append(fields[0])

    def inject(self, table: str, kind: str) -> int:
        """Add one fault of `kind` to `table`; return the number of rows added."""
        row = self.base_row(table)
        first = self.cols[table][0]
        if kind == rules.FIELD_COUNT:
            fields = [row[c] for c in self.cols[table]]
            fields = fields + ["x"] if self.rng.random() < 0.5 else fields[:-1]
            self.add(table, fields, kind)
            return 1
        if kind == rules.DUPLICATE_KEY:
            twin = self.base_row(table) if table != "endings" else dict(row, end_date=row["end_date"])
            twin[first] = row[first]
            self.add(table, row, kind)
            self.add(table, twin, kind)
            return 2
        if kind == rules.PARENT_REJECTED:
            parent_table = "persons" if table == "placements" else "placements"
            if not self.parents[parent_table]:
                return 0
            col = "person_id" if table == "placements" else "placement_id"
            pool = self.parents[parent_table]
            pick = int(self.rng.integers(len(pool)))
            # an ending's key is its placement: two endings may not share a rejected parent
            row[col] = pool.pop(pick) if table == "endings" else pool[pick]
            self.add(table, row, kind)
            return 1
        BREAK[table][kind](row, self)
        self.add(table, row, kind)
        return 1


def _events_type(row, inj):
    row.update(event_type="sick_report", value_num="abc", value_text="")


def _events_range(row, inj):
    row.update(event_type="wage_value_assessment", value_num="130", value_text="")


def _events_date_order(row, inj):
    if inj.rng.random() < 0.5:
        row["registered_at"] = _shift(row["event_date"], -1) + "T10:00:00"
    else:   # dated before its placement started (a cross-table rule)
        start = inj.text["placements"].set_index("placement_id").at[row["placement_id"], "start_date"]
        row["event_date"] = _shift(start, -10)
        row["registered_at"] = _shift(start, -9) + "T10:00:00"


BREAK = {
    "persons": {
        rules.REQUIRED: lambda r, i: r.update(gender=""),
        rules.TYPE: lambda r, i: r.update(birth_year="abc"),
        rules.IMPOSSIBLE_DATE: lambda r, i: r.update(registered_at="2023-02-29T10:00:00"),
        rules.RANGE: lambda r, i: r.update(birth_year="1890"),
        rules.ALLOWED_VALUES: lambda r, i: r.update(gender="m"),
    },
    "employers": {
        rules.REQUIRED: lambda r, i: r.update(sector=""),
        rules.TYPE: lambda r, i: r.update(own_jobcoach="misschien"),
        rules.IMPOSSIBLE_DATE: lambda r, i: r.update(harrie_training_date="2023-02-29"),
        rules.ALLOWED_VALUES: lambda r, i: r.update(sector="Horeca"),
    },
    "placements": {
        rules.REQUIRED: lambda r, i: r.update(team=""),
        rules.TYPE: lambda r, i: r.update(hours_per_week="abc"),
        rules.IMPOSSIBLE_DATE: lambda r, i: r.update(registered_at="2024-06-31T09:15:00"),
        rules.RANGE: lambda r, i: r.update(hours_per_week="55"),
        rules.ALLOWED_VALUES: lambda r, i: r.update(subsidy_type="Regulier"),
        rules.UNKNOWN_PARENT: lambda r, i: r.update(person_id=i.unknown_key("PU"))
        if i.rng.random() < 0.5 else r.update(employer_id=i.unknown_key("WU")),
        rules.DATE_ORDER: lambda r, i: r.update(lks_start_date=_shift(r["start_date"], -5)),
        rules.LKS_START_WINDOW: lambda r, i: r.update(lks_start_date=_shift(r["start_date"], 200)),
        rules.PLANNED_END_REQUIRED: lambda r, i: r.update(contract_type="bepaald",
                                                          planned_end_date=""),
    },
    "events": {
        rules.REQUIRED: lambda r, i: r.update(event_type="", value_text=""),
        rules.TYPE: _events_type,
        rules.IMPOSSIBLE_DATE: lambda r, i: r.update(registered_at="2025-02-30T10:00:00"),
        rules.RANGE: _events_range,
        rules.ALLOWED_VALUES: lambda r, i: r.update(event_type="jobcoach_contact",
                                                    value_text="Zorgelijk"),
        rules.UNKNOWN_PARENT: lambda r, i: r.update(placement_id=i.unknown_key("PLU")),
        rules.DATE_ORDER: _events_date_order,
    },
    "endings": {
        rules.REQUIRED: lambda r, i: r.update(registration=""),
        rules.TYPE: lambda r, i: r.update(end_date="31-01-2025"),
        rules.IMPOSSIBLE_DATE: lambda r, i: r.update(registered_at="2025-04-31T10:00:00"),
        rules.ALLOWED_VALUES: lambda r, i: r.update(reason_code="Onbekend"),
        rules.UNKNOWN_PARENT: lambda r, i: r.update(placement_id=i.unknown_key("PLU")),
        rules.DATE_ORDER: lambda r, i: r.update(end_date=_shift(r["end_date"], -40),
                                                registered_at=_shift(r["end_date"], -38) + "T10:00:00"),
    },
}


def inject(rng: np.random.Generator, text: dict[str, pd.DataFrame], rate: float, as_of: date):
    """Return ({table: rows as lists of text, bad rows shuffled in}, truth of the bad rows)."""
    if not 0 <= rate <= 0.5:
        raise ValueError(f"faults rate must be between 0 and 0.5, but was {rate!r}")
    inj = _Injector(rng, text, as_of)
    for table in ("persons", "employers", "placements", "events", "endings"):
        target = int(round(rate * len(text[table])))
        added, i = 0, 0
        while added < target:
            added += inj.inject(table, KINDS[table][i % len(KINDS[table])])
            i += 1
    lines, truth = {}, []
    for table, df in text.items():
        good = df.to_numpy().tolist()
        bad = inj.bad[table]
        total = len(good) + len(bad)
        slots = np.sort(rng.choice(total, size=len(bad), replace=False))
        order = rng.permutation(len(bad))
        rows: list[list[str]] = []
        g = iter(good)
        is_bad = np.zeros(total, bool)
        is_bad[slots] = True
        b = iter(order)
        for pos in range(total):
            if is_bad[pos]:
                fields, rule = bad[next(b)]
                rows.append(fields)
                truth.append((f"{table}.csv", pos + 2, rule))
            else:
                rows.append(next(g))
        lines[table] = rows
    return lines, pd.DataFrame(truth, columns=["file", "line", "rule"])
