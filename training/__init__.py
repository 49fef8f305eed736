"""Temporal backtest, metrics, MLflow tracking and the model registry."""
