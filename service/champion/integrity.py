"""The bundle is checked before it is unpickled: unpickling runs whatever code the file holds, so the
service loads only the exact bundle `lks train` registered. Its sha256 was recorded then (the run's
parameter `bundle_sha256`, which MLflow never lets change, and the model version's tag of that name);
a bundle that differs from a recorded value, or a version with nothing recorded, is refused."""

from __future__ import annotations

from lks.service.champion.types import ChampionRefused


class BundleMismatch(ChampionRefused):
    def __init__(self, version: str, why: str):
        self.version = version
        super().__init__(f"model version {version}: {why}: the model is not used")


def check_bundle(version: str, recorded: dict[str, str | None], actual: str) -> None:
    """Raise BundleMismatch unless every checksum recorded (where -> sha256; None: not recorded there) is
    `actual`, the bundle's own, and at least one was recorded."""
    found = {where: value for where, value in recorded.items() if value}
    if not found:
        raise BundleMismatch(version, "no bundle checksum was recorded at registration")
    differ = sorted(where for where, value in found.items() if value != actual)
    if differ:
        raise BundleMismatch(version, f"the bundle's sha256 ({actual[:12]}) is not the one recorded at registration "
                                      f"({', '.join(f'{w} {found[w][:12]}' for w in differ)}): it was changed")
