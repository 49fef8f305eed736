"""Estimators behind one interface (``models.base.RiskModel``), fitted on plain DataFrames.

base            the interface, shared names and validation helpers
classifier      LightGBM per horizon on landmark frames (tree SHAP explanations)
survival        discrete-time competing-risk LightGBM on person-period frames; cumulative incidence maths
logistic_hazard single-cause discrete-time logistic hazard (reference model, checked against Cox on Rossi)
baselines       base rate by tenure (Aalen-Johansen), logistic regression, the current-practice rule
calibration     isotonic / Platt calibration on a later, held-out time slice
person_period   (duration, event) -> person-period rows

``models`` never imports ``features``, ``training`` or ``service``.
"""
