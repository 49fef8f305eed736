from datetime import date, datetime

import pytest

from lks.service.persistence.tables import list_samples, make_service_engine, risk_lists
from lks.service.service_layer.sampling import draw, sampled, seed_of, store

RANKS = {f"PL{i:03d}": i + 1 for i in range(100)}


def test_the_sample_is_drawn_below_the_cut_and_is_the_same_for_the_same_list():
    first = draw(RANKS, date(2024, 1, 15), k=25, size=5)
    assert len(first) == 5 == len(set(first))
    assert all(RANKS[pid] > 25 for pid in first)
    assert draw(dict(reversed(RANKS.items())), date(2024, 1, 15), k=25, size=5) == first  # order does not matter
    assert draw(RANKS, date(2024, 1, 22), k=25, size=5) != first  # another week, another draw


def test_fewer_candidates_than_asked_gives_all_of_them_and_a_bad_size_is_refused():
    assert draw(RANKS, date(2024, 1, 15), k=97, size=5) == ["PL097", "PL098", "PL099"]
    assert draw(RANKS, date(2024, 1, 15), k=25, size=0) == []
    with pytest.raises(ValueError, match="size"):
        draw(RANKS, date(2024, 1, 15), k=25, size=-1)


def test_the_sample_is_stored_with_its_list_and_seed(tmp_path):
    engine = make_service_engine(f"sqlite:///{tmp_path}/lks.db")
    as_of = date(2024, 1, 15)
    with engine.begin() as conn:
        list_id = conn.execute(risk_lists.insert().values(
            as_of=as_of, model_version="1", input_hash="0" * 64, created_at=datetime(2024, 1, 15),
            n_placements=100).returning(risk_lists.c.list_id)).scalar_one()
        store(conn, list_id, as_of, draw(RANKS, as_of))
    assert sampled(engine, list_id) == draw(RANKS, as_of)
    with engine.connect() as conn:
        assert {r["seed"] for r in conn.execute(list_samples.select()).mappings()} == {seed_of(as_of)}
