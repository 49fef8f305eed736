"""The DPIA switch on the service side: a model that reads special-category columns (GDPR art. 9,
health) is served and scored only where the deployment names the DPIA it was trained under.

Strict on purpose, as a privacy officer expects: a model trained under a DPIA reference is refused
when this deployment (LKS_DPIA_REFERENCE) names none or another one, since that DPIA may not cover
this deployment or may have been withdrawn; so is a model whose inputs read a special column without
recording any reference. Refused means not used at all, never scored without the column instead:
its risks were learnt with it, and quietly filling it in would be a different, unchecked model.
"""

from __future__ import annotations

from lks.data_contracts.roles import dpia_refusal
from lks.service.champion.types import Champion, ChampionRefused


class DpiaRefused(ChampionRefused):
    def __init__(self, version: str, special: tuple[str, ...], trained_under: str | None, deployment: str | None,
                 why: str):
        self.version, self.special = version, special
        self.trained_under, self.deployment = trained_under, deployment
        super().__init__(f"{why}: the model is not used")


def check(champion: Champion, deployment_reference: str | None) -> None:
    """Raise DpiaRefused unless the champion may be used under this deployment's DPIA reference."""
    special, trained_under = champion.special_features, champion.dpia_reference
    why = dpia_refusal(champion.version, special, trained_under, deployment_reference)
    if why:
        raise DpiaRefused(champion.version, special, trained_under, deployment_reference, why)
