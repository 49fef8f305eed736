"""One access rule on every date: what an identity may see is decided by the placement's latest known
assignment, never by the list of the requested week (issue 17). Each of these failed before the rule."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lks.service.auth import Identity
from lks.service.persistence import queries
from tests.service.world import EARLIER, NOW, USERS, build_world


def who(name: str) -> Identity:
    role, teams, jobcoach_id = USERS[name]
    return Identity(name, role, teams, jobcoach_id)


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


def listed(world, name: str, as_of) -> set[str]:
    page = queries.risk_list_page(world.engine, who(name), as_of)
    return {item["placement_id"] for item in page.items}


@pytest.mark.parametrize("as_of", [NOW, EARLIER, None])
def test_a_reassigned_placement_leaves_the_old_jobcoach_and_team_on_every_week(world, as_of):
    assert queries.placement(world.engine, who("coach1"), "PL1", as_of)["score"]["placement_id"] == "PL1"
    assert "PL1" in listed(world, "coach1", as_of) and "PL1" in listed(world, "coord-zuid", as_of)
    world.reassign()
    for name in ("coach1", "coord-zuid"):
        with pytest.raises(queries.NotFound):
            queries.placement(world.engine, who(name), "PL1", as_of)
        assert "PL1" not in listed(world, name, as_of)
    for name in ("coach2", "coord-noord"):  # the new jobcoach and team see it, earlier weeks included
        assert queries.placement(world.engine, who(name), "PL1", as_of)["score"]["placement_id"] == "PL1"
        assert "PL1" in listed(world, name, as_of)
    assert listed(world, "coach1", as_of) == set()


def test_actions_follow_the_reassignment(world):
    queries.record_action(world.engine, who("coach1"), "PL1", "no_action", reason="al besproken")
    world.reassign()
    with pytest.raises(queries.NotFound):
        queries.record_action(world.engine, who("coach1"), "PL1", "no_action", reason="nogmaals")
    done = queries.record_action(world.engine, who("coach2"), "PL1", "intervention", intervention="extra_jobcoaching")
    assert done["recorded_by"] == "coach2"


@pytest.mark.parametrize("identity", [Identity("no-id", "jobcoach"), Identity("no-teams", "coordinator"),
                                      Identity("ds", "data_scientist"), Identity("admin", "admin")])
def test_an_identity_without_what_its_role_needs_sees_nothing(world, identity):
    # PL3 has no jobcoach: `jobcoach_id IS NULL` once showed it to a jobcoach without an id
    assert queries.risk_list_page(world.engine, identity).items == []
    for pid in ("PL1", "PL2", "PL3"):
        with pytest.raises(queries.NotFound):
            queries.placement(world.engine, identity, pid)
    assert queries.filter_options(world.engine, identity) == {"teams": [], "districts": []}


def test_filter_options_follow_the_reassignment(world):
    world.reassign()
    assert queries.filter_options(world.engine, who("coord-zuid"), EARLIER)["teams"] == ["team_zuid"]
    assert queries.filter_options(world.engine, who("coach1"), EARLIER)["teams"] == []


def test_aggregates_count_only_what_the_identity_may_see(world):
    zuid = queries.summary(world.engine, who("coord-zuid"), min_group=1)
    assert zuid["placements"] == 2 and [g["group"] for g in zuid["team"]] == ["team_zuid"]
    everyone = queries.summary(world.engine, who("ds"), min_group=1)
    assert everyone["placements"] == 3 and {g["group"] for g in everyone["team"]} == {"team_zuid", "team_noord"}
    world.reassign()
    zuid = queries.summary(world.engine, who("coord-zuid"), EARLIER, min_group=1)
    assert zuid["placements"] == 1 and zuid["team"][0]["placements"] == 1


def test_the_list_index_counts_only_what_the_identity_may_see(world):
    assert [r["n_placements"] for r in queries.lists(world.engine, who("coach1"))] == [1, 1]
    assert [r["n_placements"] for r in queries.lists(world.engine, who("ds"))] == [3, 3]
    world.reassign()
    assert [r["n_placements"] for r in queries.lists(world.engine, who("coach1"))] == [0, 0]


def test_a_placement_drawn_into_the_steekproef_is_marked_on_its_list_only(world):
    from lks.service.persistence.tables import list_samples
    from tests.service.pages.conftest import login

    now = queries.risk_list_page(world.engine, who("coord-zuid"), NOW)
    with world.engine.begin() as conn:
        conn.execute(list_samples.insert().values(list_id=now.risk_list["list_id"], placement_id="PL3", seed=1))
    items = queries.risk_list_page(world.engine, who("coord-zuid"), NOW).items
    marked = {i["placement_id"]: i["sample"] for i in items}
    assert marked == {"PL1": False, "PL3": True}
    assert not any(i["sample"] for i in queries.risk_list_page(world.engine, who("coord-zuid"), EARLIER).items)
    html = login(world.app, world.tokens["coord-zuid"]).get("/lijst").text
    assert html.count(">steekproef</span>") == 1 and "door het toeval gekozen" in html
    assert "door het toeval gekozen" not in login(world.app, world.tokens["coord-noord"]).get("/lijst").text


def test_a_page_of_the_list_is_read_in_rank_order_from_the_index_not_sorted(world):
    """The page and the week's follow-up walk risk_scores by (list_id, rank) and stop when full: no sort of
    the whole list with its explanations (issue 16: the page query went from 3.2 to 0.6 ms)."""
    ranked: list[tuple[str, tuple]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY risk_scores.rank" in statement and not statement.startswith("EXPLAIN"):
            ranked.append((statement, parameters))

    sa.event.listen(world.engine, "before_cursor_execute", keep)
    try:
        queries.risk_list_page(world.engine, who("coord-zuid"), NOW, page=1, page_size=2)
    finally:
        sa.event.remove(world.engine, "before_cursor_execute", keep)
    assert ranked
    with world.engine.connect() as conn:
        for statement, parameters in ranked:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
            assert "ix_risk_scores_list_rank" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
