"""The simulator seed the tests check claims on: never used for a tuning decision (bench/seeds.py)."""

ROBUSTNESS_SEED = 101
