import numpy as np

from lks.simulator import model


def test_transition_rows_are_distributions():
    k = np.arange(0, 300)
    for prot in (False, True):
        t = model.transitions(k, np.linspace(-2, 2, len(k)), prot)
        assert np.allclose(t.sum(axis=-1), 1) and (t >= 0).all()


def test_hazards_stay_in_range_and_fall_with_tenure():
    k = np.arange(0, 200)
    hu, hn, _ = model.hazards(k, 0, 0.0, 0.0, -1, False, 10_000, False)
    assert ((hu >= 0) & (hu + hn <= model.MAX_TOTAL_HAZARD + 1e-12)).all()
    assert hu[0] > hu[13] > hu[26] > hu[52] >= hu[104]


def test_state_and_interventions_act_on_the_hazard():
    hu = [model.hazards(10, s, 0.0, 0.0, -1, False, 10_000, False)[0] for s in range(3)]
    assert hu[0] < hu[1] < hu[2]
    protected = model.hazards(10, 2, 0.0, 0.0, -1, False, 10_000, True)[0]
    assert protected < hu[2]
    plain, helped = model.transitions(10, 0.0, False), model.transitions(10, 0.0, True)
    assert helped[1, 0] > plain[1, 0] and helped[2, 2] < plain[2, 2]
