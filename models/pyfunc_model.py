"""The MLflow pyfunc model, logged as "model from code": MLflow stores this file with the run and
loads the pickled `ServingBundle` from the run's artifacts.

predict(features, params={"output": "risks"})  -> `ServingBundle.risks` (both risks + SHAP)
predict(features, params={"output": "curves"}) -> `ServingBundle.curves` (risk curve per row)
"""

from __future__ import annotations

import cloudpickle
import mlflow
import pandas as pd


class LksModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        with open(context.artifacts["bundle"], "rb") as fh:
            self.bundle = cloudpickle.load(fh)

    def predict(self, context, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        output = (params or {}).get("output", "risks")
        if output == "curves":
            return self.bundle.curves(model_input)
        if output != "risks":
            raise ValueError(f"params['output'] must be 'risks' or 'curves', but was {output!r}")
        return self.bundle.risks(model_input)


mlflow.models.set_model(LksModel())
