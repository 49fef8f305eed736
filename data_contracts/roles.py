"""Contract roles, machine-readable: later code asks here what may become a model input."""

from __future__ import annotations

from lks.data_contracts.schemas import TABLES, columns

# Roles that may never feed a model input, directly or through a derived feature.
# One deliberate exception, documented in features/catalog.py (`past_outcomes`): how *other,
# earlier* placements of the same person or employer ended, as known on the as-of date, is a
# track record, not a label leak; a placement's own ending never feeds its own features.
# The contract's one switch: `special` columns (GDPR art. 9, health) may feed model inputs only when
# the deployment names the DPIA that allows it (LKS_DPIA_REFERENCE, see `check_dpia_reference` and
# `features.build`); every other role here stays out whatever is configured.
NEVER_INPUT = ("key", "protected", "special", "routing", "label")


def role_of(table: str, column: str) -> str:
    return columns(table)[column]["role"]


def columns_with_role(table: str, *roles: str) -> list[str]:
    return [name for name, spec in columns(table).items() if spec["role"] in roles]


def feature_columns(table: str) -> list[str]:
    """Columns of `table` that may be used as model input (role `feature`)."""
    return columns_with_role(table, "feature")


def all_roles() -> dict[str, dict[str, str]]:
    """table -> column -> role, for model cards and the feature list."""
    return {t: {c: s["role"] for c, s in columns(t).items()} for t in TABLES}


def check_dpia_reference(reference: str | None) -> str | None:
    """None (no DPIA: special columns stay out) or the reference, stripped. A blank or non-string
    value is refused rather than read as "off": whoever passed it meant to name a DPIA."""
    if reference is None:
        return None
    if not isinstance(reference, str) or not reference.strip():
        raise ValueError(f"a DPIA reference must be a non-empty string, but was {reference!r}")
    return reference.strip()


def dpia_refusal(version: str, special: tuple[str, ...], trained_under: str | None,
                 deployment: str | None) -> str | None:
    """The one DPIA rule, for training, promotion and the service: why model `version`, which reads the
    `special` inputs and was trained under DPIA reference `trained_under`, may not be used where the
    deployment names `deployment`; None when it may.

    It may when it was trained under no reference and reads no special column, or under exactly the
    deployment's reference. Strict on purpose: another or no reference in the deployment means that DPIA
    may not cover it (or was withdrawn), and special inputs without a recorded reference are never used."""
    reads = f"reads special columns ({', '.join(special)})" if special else "reads no special column"
    if special and not trained_under:
        return f"model version {version} {reads} but records no DPIA reference"
    if trained_under and trained_under != deployment:
        here = f"names {deployment!r}" if deployment else "names none"
        return (f"model version {version} was trained under DPIA reference {trained_under!r} and {reads}, "
                f"but this deployment (LKS_DPIA_REFERENCE) {here}")
    return None
