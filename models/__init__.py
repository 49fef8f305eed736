"""Estimators behind one interface: classifiers, discrete-time survival, baselines, calibration."""
