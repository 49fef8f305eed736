from service.champion import Champion, ChampionHolder


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
