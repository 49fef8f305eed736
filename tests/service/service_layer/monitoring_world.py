"""A tiny world for monitoring whose answers are known by hand.

100 placements start on 2024-01-08 (registered the next day), one person each (gender alternating V, M).
Placement i has the risk p = 0.1, 0.3, 0.5, 0.7 or 0.9 (20 placements each, by i // 20), and exactly p * 20 of
each block end in uitval (`conflict`) on 2024-03-29: the scores are perfectly calibrated, and V and M have the
same share.
Eight weekly lists (2024-01-15 .. 2024-03-04) are stored as `lks score` stores them, ranked by risk_52w;
every one of them has known 13-week outcomes on 2024-09-01 (window plus 60 days of grace). Each list's
top 25 get a recorded decision the day after the list, and 5 placements below the top 25 are drawn
into its steekproef as `lks score` draws them. `change` lets a test alter one thing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from lks.cli.db import upgrade
from lks.data_contracts.ingest import ingest
from lks.service.persistence.tables import actions, make_service_engine, risk_lists, risk_scores
from lks.service.service_layer import sampling
from tests.exports import ending, person, placement, write_export

WEEKS = [date(2024, 1, 15) + timedelta(weeks=w) for w in range(8)]
MONITOR_ON = date(2024, 9, 1)
RISKS = (0.1, 0.3, 0.5, 0.7, 0.9)
N = 100


def pid(i: int) -> str:
    return f"PL{i:03d}"


def risk(i: int) -> float:
    return RISKS[i // 20]


def uitval(i: int) -> bool:
    return i % 20 < round(risk(i) * 20)


def gender(i: int) -> str:
    return "V" if i % 2 == 0 else "M"


def default_score(i: int, week: int) -> float:
    return risk(i)


def default_inputs(i: int, week: int) -> dict:
    return {"hours_per_week": 16 + i % 20, "wage_value_pct": 40.0 + i % 30, "sector": "zorg" if i % 3 else "horeca"}


def build(home: Path, score=default_score, inputs=default_inputs, decide=True, intervene=lambda i: False,
          ends=uitval, reason=lambda i: "conflict") -> sa.Engine:
    """The world's database under `home`; `score(i, week)`, `inputs(i, week)`, `intervene(i)` (an intervention
    instead of no action) `ends(i)` (an uitval ending) and `reason(i)` (its registered reason) change it."""
    upgrade(f"sqlite:///{home}/lks.db")  # made as `lks` makes it: `lks monitor` runs on it
    engine = make_service_engine(f"sqlite:///{home}/lks.db")
    ingest(engine, write_export(
        home / "export",
        persons=[person(person_id=f"P{i:03d}", gender=gender(i)) for i in range(N)],
        placements=[placement(placement_id=pid(i), person_id=f"P{i:03d}", team="team_zuid" if i % 2 else "team_noord",
                              planned_end_date="2025-06-30", registered_at="2024-01-09T10:00:00") for i in range(N)],
        endings=[ending(placement_id=pid(i), end_date="2024-03-29", reason_code=reason(i),
                        registered_at="2024-04-02T10:00:00") for i in range(N) if ends(i)],
    ))
    with engine.begin() as conn:
        for w, as_of in enumerate(WEEKS):
            list_id = conn.execute(risk_lists.insert().values(
                as_of=as_of, model_version="1", input_hash=f"{w:064d}", created_at=datetime(2024, 1, 1),
                n_placements=N).returning(risk_lists.c.list_id)).scalar_one()
            risks = {i: score(i, w) for i in range(N)}
            order = sorted(range(N), key=lambda i: (-risks[i], i))
            ranks = {i: r + 1 for r, i in enumerate(order)}
            conn.execute(risk_scores.insert(), [{
                "list_id": list_id, "placement_id": pid(i), "team": "team_zuid" if i % 2 else "team_noord",
                "district": "Charlois", "jobcoach_id": "JC1", "tenure_weeks": 1 + w, "risk_13w": risks[i],
                "risk_52w": risks[i], "rank": ranks[i], "explanation": [], "features": inputs(i, w),
            } for i in range(N)])
            sampling.store(conn, list_id, as_of, sampling.draw({pid(i): r for i, r in ranks.items()}, as_of))
            at = datetime.combine(as_of, datetime.min.time()) + timedelta(days=1, hours=9)
            rows = [{"placement_id": pid(i), "recorded_by": "coordinator", "at": at, "list_id": list_id,
                     **({"kind": "intervention", "intervention": "extra_jobcoaching", "reason": None} if intervene(i)
                        else {"kind": "no_action", "intervention": None, "reason": "al in gesprek"})}
                    for i in order[:25] if decide]
            if rows:
                conn.execute(actions.insert(), rows)
    return engine
