import logging
import pickle

import pytest

from lks.service.champion.holder import ChampionHolder
from lks.service.champion.types import Champion
from tests.service import fakes
from tests.service.fakes import FixedSource


class Source:
    def __init__(self):
        self.current, self.fail = "1", False

    def version(self):
        if self.fail:
            raise ConnectionError("registry down")
        return self.current

    def load(self):
        return Champion(self.current, predictor=None, features=(), schema=())


def test_the_holder_swaps_when_the_alias_moves_and_keeps_the_old_model_meanwhile():
    source = Source()
    holder = ChampionHolder(source)
    first = holder.refresh()
    assert first.version == "1" and holder.refresh() is first  # same version: nothing reloaded
    source.current = "2"
    in_flight = holder.current
    assert holder.refresh().version == "2" and in_flight.version == "1"


def test_a_registry_failure_keeps_the_served_model():
    source = Source()
    holder = ChampionHolder(source)
    holder.refresh()
    source.fail = True
    assert holder.refresh().version == "1"


def test_no_champion_means_none():
    source = Source()
    source.current = None
    assert ChampionHolder(source).refresh() is None


def test_a_dpia_champion_is_refused_without_its_reference_logged_and_not_loaded_again(caplog):
    source = FixedSource(fakes.champion("2"))
    holder = ChampionHolder(source)
    with caplog.at_level(logging.ERROR, logger="lks.service.champion.holder"):
        assert holder.refresh() is None and holder.refresh() is None
    assert holder.refused.version == "2" and source.loads == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"model version 2 was trained under DPIA reference '{fakes.REFERENCE}' and reads special columns "
        "(health_limitation), but this deployment (LKS_DPIA_REFERENCE) names none: the model is not used; "
        "serving no model"]
    assert ChampionHolder(FixedSource(fakes.champion("2")), dpia_reference="DPIA-other").refresh() is None


def test_a_dpia_champion_is_served_under_its_reference():
    holder = ChampionHolder(FixedSource(fakes.champion("2")), dpia_reference=fakes.REFERENCE)
    assert holder.refresh().special_features == ("health_limitation",) and holder.refused is None


def test_a_refused_new_champion_leaves_the_served_model_in_place_until_the_alias_moves_on():
    source = FixedSource(fakes.champion("1", reference=None, special=False))
    holder = ChampionHolder(source)
    served = holder.refresh()
    source.current = fakes.champion("2")
    assert holder.refresh() is served and holder.refused.version == "2"
    source.current = fakes.champion("3", reference=None, special=False)
    assert holder.refresh().version == "3" and holder.refused is None


class BrokenArtifact(Source):
    """The alias names a version whose artifact is missing or corrupt: loading it raises."""

    def __init__(self, error: Exception):
        super().__init__()
        self.error, self.broken, self.loads = error, set(), 0

    def load(self):
        self.loads += 1
        if self.current in self.broken:
            raise self.error
        return super().load()


@pytest.mark.parametrize("error", [
    FileNotFoundError("model.pkl"),                      # the artifact is missing
    pickle.UnpicklingError("invalid load key, '\\x00'"),  # the artifact is corrupt
    EOFError("Ran out of input"),                        # the artifact is truncated
    MemoryError(),                                       # the artifact is absurd
], ids=["missing", "corrupt", "truncated", "huge"])
def test_a_missing_or_corrupt_artifact_never_replaces_the_served_champion(error, caplog):
    source = BrokenArtifact(error)
    holder = ChampionHolder(source)
    served = holder.refresh()
    source.current = "2"
    source.broken.add("2")
    with caplog.at_level(logging.ERROR, logger="lks.service.champion.holder"):
        assert holder.refresh() is served and holder.refresh() is served
    assert holder.current.version == "1" and source.loads == 3  # tried again, never swapped
    assert "keeping version 1" in caplog.text
    source.broken.clear()  # the artifact is repaired: the next check serves it
    assert holder.refresh().version == "2"


def test_a_broken_first_champion_serves_no_model_rather_than_crashing():
    source = BrokenArtifact(FileNotFoundError("model.pkl"))
    source.broken.add("1")
    assert ChampionHolder(source).refresh() is None


def test_a_new_champion_is_prepared_before_any_request_sees_it_and_a_failed_preparation_never_stops_the_swap(caplog):
    source, seen = Source(), []
    holder = ChampionHolder(source)
    holder.prepare = lambda champion: seen.append((champion.version, holder.current and holder.current.version))
    holder.refresh()
    source.current = "2"
    holder.refresh()
    holder.refresh()  # same version: not prepared again
    assert seen == [("1", None), ("2", "1")]  # prepared while the previous model was still served

    def broken(_champion):
        raise RuntimeError("no curves")

    holder.prepare, source.current = broken, "3"
    with caplog.at_level(logging.ERROR):
        assert holder.refresh().version == "3"
    assert "preparing model version 3 failed" in caplog.text


def test_swapped_runs_after_every_swap_saying_whether_it_replaced_a_champion_and_not_without_a_change():
    source, seen = Source(), []
    holder = ChampionHolder(source)
    # the new champion is served by then
    holder.swapped = lambda replaced: seen.append((holder.current.version, replaced))
    holder.refresh()
    holder.refresh()
    assert seen == [("1", False)]
    source.current = "2"
    holder.refresh()
    assert seen == [("1", False), ("2", True)]
