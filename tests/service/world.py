"""A tiny hand-made world for access tests: two placements in the store (hand-made export rows, ingested),
two weeks of risk lists stored by hand, users of every role, and a reassignment by a corrected
placements row. No fitted model: the app serves a hand-made champion (tests.service.fakes).

    PL1  jobcoach JC1, team_zuid      PL2  jobcoach JC2, team_noord      PL3  no jobcoach, team_zuid
    weeks EARLIER (2024-03-04) and NOW (2024-03-11): both placements on both lists
    reassign(): PL1 moves to JC2, team_noord (same placement_id, newer registered_at)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from lks.data_contracts.ingest import ingest
from lks.service.persistence.tables import risk_lists, risk_scores, unscored_placements
from tests.exports import row, write_export
from tests.service import fakes

EARLIER, NOW = date(2024, 3, 4), date(2024, 3, 11)
ASSIGNED = {"PL1": ("JC1", "team_zuid"), "PL2": ("JC2", "team_noord"), "PL3": (None, "team_zuid")}
MOVED_TO = ("JC2", "team_noord")
USERS = {  # name -> (role, teams, jobcoach_id)
    "coach1": ("jobcoach", (), "JC1"), "coach2": ("jobcoach", (), "JC2"),
    "coord-zuid": ("coordinator", ("team_zuid",), None), "coord-noord": ("coordinator", ("team_noord",), None),
    "ds": ("data_scientist", (), None), "admin": ("admin", (), None),
}
EXPLANATION = {"base_value": 0.0, "raw_52w": 0.0, "raises": [], "lowers": [], "suggestions": []}


def _placement(pid: str, jobcoach_id: str | None, team: str, registered_at: str) -> dict:
    return row("placements", placement_id=pid, jobcoach_id=jobcoach_id or "", team=team, registered_at=registered_at)


@dataclass
class World:
    home: Path
    app: object
    engine: sa.Engine
    tokens: dict = field(default_factory=dict)

    def reassign(self) -> None:
        """PL1 to another jobcoach and team: a corrected placements row, ingested like any export."""
        report = ingest(self.engine, write_export(self.home / "export-2", placements=[
            _placement("PL1", *MOVED_TO, "2024-03-12T09:00:00")], events=[], endings=[]))
        assert report is not None

    def add_unscored(self, placement_id: str, missing: list[dict], as_of: date = NOW) -> None:
        """The placement on the list of `as_of` without a score, lacking the `missing` inputs (team_zuid, JC1)."""
        with self.engine.begin() as conn:
            list_id = conn.execute(sa.select(risk_lists.c.list_id).where(risk_lists.c.as_of == as_of)).scalar_one()
            conn.execute(unscored_placements.insert().values(
                list_id=list_id, placement_id=placement_id, team="team_zuid", district=None, jobcoach_id="JC1",
                tenure_weeks=5, missing=missing))


def build_world(home: Path, **settings) -> World:
    from lks.service.app import create_app
    from lks.service.settings import Settings

    report = home / "report.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text("<html><body>Rapport</body></html>", encoding="utf-8")
    champion = replace(fakes.champion(reference=None, special=False), report_path=report)
    app = create_app(Settings(home=home, model_refresh_seconds=3600, **settings), source=fakes.FixedSource(champion))
    engine = app.state.services.engine
    ingest(engine, write_export(home / "export-1", placements=[
        _placement(pid, jc, team, "2024-02-03T10:15:00") for pid, (jc, team) in ASSIGNED.items()],
        events=[], endings=[]))
    with engine.begin() as conn:
        for n, as_of in enumerate((EARLIER, NOW)):
            list_id = conn.execute(risk_lists.insert().values(
                as_of=as_of, model_version="7", input_hash=f"{n:064d}", created_at=datetime(2024, 3, 4 + 7 * n),
                n_placements=len(ASSIGNED))).inserted_primary_key[0]
            for rank, (pid, (jc, team)) in enumerate(ASSIGNED.items(), start=1):
                conn.execute(risk_scores.insert().values(
                    list_id=list_id, placement_id=pid, team=team, district="Charlois", jobcoach_id=jc,
                    tenure_weeks=5 + n, risk_13w=0.1 * rank, risk_52w=0.2 * rank + 0.05 * n, rank=rank,
                    explanation=EXPLANATION, features={}))
    store = app.state.services.identities
    world = World(home, app, engine)
    for name, (role, teams, jobcoach_id) in USERS.items():
        world.tokens[name] = store.add(name, role, teams, jobcoach_id)
    return world
