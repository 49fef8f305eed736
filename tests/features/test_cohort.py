from lks.features.cohort import cohort
from tests.exports import ending, make_history, placement


def history():
    return make_history(
        placements=[
            placement(placement_id="PL1", start_date="2025-01-06", registered_at="2025-01-10T09:00:00"),
            placement(placement_id="PL2", start_date="2025-03-03", registered_at="2025-01-10T09:00:00"),
            placement(placement_id="PL3", start_date="2025-01-06", registered_at="2025-02-20T09:00:00"),
            placement(placement_id="PL4", start_date="2025-01-06", registered_at="2025-01-10T09:00:00"),
        ],
        endings=[
            # ended 14 March, registered 2 April: unknown before then
            ending(placement_id="PL1", end_date="2025-03-14", registered_at="2025-04-02T10:00:00"),
            # ending announced ahead for 30 April
            ending(placement_id="PL4", end_date="2025-04-30", registered_at="2025-03-01T10:00:00"),
        ],
    )


def test_started_known_and_not_ended_as_known_then():
    h = history()
    assert list(cohort(h, "2025-02-01")) == ["PL1", "PL4"]  # PL2 not started, PL3 not registered
    assert list(cohort(h, "2025-03-20")) == ["PL1", "PL2", "PL3", "PL4"]  # PL1's ending unknown yet
    assert list(cohort(h, "2025-04-02")) == ["PL2", "PL3", "PL4"]
    assert list(cohort(h, "2025-04-30")) == ["PL2", "PL3"]  # the announced ending has come
