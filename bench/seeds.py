"""Which simulator seeds informed which decision: the one place that says so.

A seed that informed a choice (a setting, a feature, a blend weight) is not a seed to report that choice
on. Every figure the README reports names its seed and scenario.
"""

# Settings, features and blend weights were chosen on these (sessions 1-3: seed 11).
TUNING_SEEDS = (11,)
# `lks simulate` and `make demo` use seed 7: the README's single-world table. Earlier sessions quoted
# seed-7 figures beside design choices (the landmark survival variant, Platt calibration), so it is not
# clean either: it is reported, never used to decide, and the robustness seeds below carry the claims.
DEMO_SEED = 7
# Never used to choose a value: the robustness benchmark (bench/robustness.py) reports on these only.
# They did reveal one problem (the logistic regression falling behind a plain one in `weak-signals`, on
# seeds 101 and 202); its fix, the penalty C, was then chosen on seed 11 (training/candidates.py).
ROBUSTNESS_SEEDS = (101, 202, 303)
