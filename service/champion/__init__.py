"""The model in use: the champion as a value, where it comes from (MLflow), its swap without a restart,
its input schema and the DPIA check before it is used."""
