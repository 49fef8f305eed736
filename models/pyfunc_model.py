"""The MLflow pyfunc model, logged as "model from code": MLflow stores this file with the run and
loads the pickled `ServingBundle` from the run's artifacts.

predict(features, params={"output": "risks"})  -> `ServingBundle.risks` (both risks + SHAP)
predict(features, params={"output": "curves"}) -> `ServingBundle.curves` (risk curve per row)
"""

from __future__ import annotations

from typing import Any

import cloudpickle
import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel, PythonModelContext


class LksModel(PythonModel):
    def load_context(self, context: PythonModelContext) -> None:
        with open(context.artifacts["bundle"], "rb") as fh:
            self.bundle = cloudpickle.load(fh)

    def predict(
        self, context: PythonModelContext | None, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        output = (params or {}).get("output", "risks")
        if output == "curves":
            return self.bundle.curves(model_input)
        if output != "risks":
            raise ValueError(f"params['output'] must be 'risks' or 'curves', but was {output!r}")
        return self.bundle.risks(model_input)


mlflow.models.set_model(LksModel())
