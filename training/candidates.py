"""The models a backtest compares: two candidates for champion and the baselines any claim must beat.

Each entry says which frame it learns from (`landmark` or `person_period`) and how to build it.
Landmark rows carry features + tenure_weeks; person-period rows get `week` = tenure_weeks.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from models.base import RiskModel
from models.baselines import CurrentPracticeRule, LogisticBaseline, TenureBaseline
from models.calibration import TemporalCalibrated
from models.classifier import LGBMRiskClassifier
from models.survival import LGBMCompetingRisk

# The rule of today's practice reads these two signal counts (derived in `add_rule_signals`).
SICK_4W, ZORGELIJK_4W = "sick_reports_4w", "zorgelijk_contacts_4w"


@dataclass(frozen=True)
class Candidate:
    name: str
    frame: str                       # "landmark" or "person_period"
    make: Callable[[], RiskModel]
    champion_candidate: bool


def threads() -> int:
    """LightGBM threads per fit: LKS_THREADS (default 2, the machine's cores). Parallel test workers
    set 1: OpenMP threads that outnumber the cores spin-wait and slow everything down many times."""
    return int(os.environ.get("LKS_THREADS", "2"))


# Both LightGBM candidates are strongly regularised: the ~52 weekly rows of one placement are
# near-copies, so a few thousand placements are all the independent evidence there is. Small trees
# (6 leaves), large leaves (500 landmark rows, 1,000 person-weeks), half the features per tree,
# 70% of the rows per tree and an L2 penalty: on a tuning simulation (seed 11) this raised the
# survival model's ROC AUC (52w) from 0.71 to 0.73 and its precision at 25 from 0.37 to 0.43, and
# the classifier's ROC AUC (13w) from 0.73 to 0.75.
def lightgbm(n_jobs: int | None = None) -> RiskModel:
    classifier = LGBMRiskClassifier(n_estimators=600, learning_rate=0.05, num_leaves=6, min_child_samples=500,
                                    colsample=0.5, subsample=0.7, reg_lambda=10.0, validation_weeks=8,
                                    early_stopping_rounds=40, n_jobs=n_jobs or threads())
    return TemporalCalibrated(classifier, method="isotonic", calibration_weeks=8)


def survival(n_jobs: int | None = None) -> RiskModel:
    return LGBMCompetingRisk(n_estimators=200, learning_rate=0.05, num_leaves=6, min_child_samples=1000,
                             colsample=0.5, subsample=0.7, reg_lambda=10.0, n_jobs=n_jobs or threads())


CANDIDATES = [
    Candidate("lightgbm", "landmark", lightgbm, True),
    Candidate("survival", "person_period", survival, True),
    Candidate("tenure_rate", "person_period", TenureBaseline, False),
    Candidate("logistic", "landmark", lambda: LogisticBaseline(C=0.1), False),
    Candidate("current_practice", "landmark", lambda: CurrentPracticeRule(SICK_4W, ZORGELIJK_4W), False),
]


def add_rule_signals(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the count of `zorgelijk` contacts (jobcoach or municipality) in the last 4 weeks."""
    count = 0
    for kind in ("jobcoach", "municipality"):
        share = frame[f"{kind}_zorgelijk_share_4w"].fillna(0)
        count = count + (share * frame[f"{kind}_contacts_4w"].fillna(0)).round()
    return frame.assign(**{ZORGELIJK_4W: count})
