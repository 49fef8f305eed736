"""The DPIA switch on the service side: a model that reads special-category columns (GDPR art. 9,
health) is served and scored only where the deployment names the DPIA it was trained under.

Strict on purpose, as a privacy officer expects: a model trained under a DPIA reference is refused
when this deployment (LKS_DPIA_REFERENCE) names none or another one, since that DPIA may not cover
this deployment or may have been withdrawn; so is a model whose inputs read a special column without
recording any reference. Refused means not used at all, never scored without the column instead:
its risks were learnt with it, and quietly filling it in would be a different, unchecked model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from data_contracts.roles import dpia_covers

if TYPE_CHECKING:
    from service.champion import Champion


class DpiaRefused(RuntimeError):
    def __init__(self, version: str, special: tuple[str, ...], trained_under: str | None, deployment: str | None):
        self.version, self.special = version, special
        self.trained_under, self.deployment = trained_under, deployment
        reads = f"reads special columns ({', '.join(special)})" if special else "reads no special column"
        if trained_under is None:
            why = f"model version {version} {reads} but records no DPIA reference"
        else:
            here = f"names {deployment!r}" if deployment else "names none"
            why = (f"model version {version} was trained under DPIA reference {trained_under!r} and {reads}, "
                   f"but this deployment (LKS_DPIA_REFERENCE) {here}")
        super().__init__(f"{why}: the model is not used")


def check(champion: Champion, deployment_reference: str | None) -> None:
    """Raise DpiaRefused unless the champion may be used under this deployment's DPIA reference."""
    special, trained_under = champion.special_features, champion.dpia_reference
    if (special and not trained_under) or not dpia_covers(trained_under, deployment_reference):
        raise DpiaRefused(champion.version, special, trained_under, deployment_reference)
