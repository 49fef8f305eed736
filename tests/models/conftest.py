from __future__ import annotations

import pytest

from tests.models.synthetic import landmark_frame, make_placements, person_period_frame


@pytest.fixture(scope="session")
def train_placements():
    return make_placements(400, seed=0)


@pytest.fixture(scope="session")
def test_placements():
    return make_placements(400, seed=1)


@pytest.fixture(scope="session")
def landmarks(train_placements):
    return landmark_frame(train_placements, seed=0)


@pytest.fixture(scope="session")
def test_landmarks(test_placements):
    return landmark_frame(test_placements, seed=1)


@pytest.fixture(scope="session")
def person_periods(train_placements):
    return person_period_frame(train_placements)
