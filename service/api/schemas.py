"""Request and response bodies (the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from lks.data_contracts.schemas.codes import INTERVENTION
from lks.service.persistence.queries import MAX_NOTE, MAX_REASON

# The store keeps local wall-clock times without an offset; OpenAPI's date-time (RFC 3339) requires one,
# so a naive time leaves the API with the server's offset (found by the stateful schema fuzzing).
Timestamp = Annotated[datetime, AfterValidator(lambda at: at if at.tzinfo else at.astimezone())]


class Suggestion(BaseModel):
    code: str
    label: str
    because: str | None = None


class Factor(BaseModel):
    factor: str
    label: str
    contribution: float = Field(description="Share of the raw 52-week score (log-odds) this factor adds.")
    contribution_pp: float | None = Field(None, description=(
        "The factor's effect on the first-year risk in percentage points: the risk as it is minus the risk "
        "without this factor's log-odds contribution, the others kept (not additive over factors)."))
    sentence: str
    actionable: bool
    suggestion: Suggestion | None


class Explanation(BaseModel):
    base_value: float
    raw_52w: float
    raises: list[Factor]
    lowers: list[Factor]
    suggestions: list[Suggestion]


class ListDecision(BaseModel):
    kind: Literal["intervention", "no_action"]
    intervention: str | None
    at: Timestamp


class FollowUpRecord(BaseModel):
    kind: Literal["added", "dismissed"]
    reason: str | None = Field(description="Why it was dismissed (required then); null when added.")
    recorded_by: str
    at: Timestamp


class FollowUpEntry(FollowUpRecord):
    placement_id: str
    rank: int | None = Field(description="Its rank on this week's list; null when it is on no list.")
    risk_52w: float | None
    team: str | None
    jobcoach_id: str | None


class FollowUpWeek(BaseModel):
    total: int = Field(description="Placements in the week's follow-up: above the capacity line, minus the "
                                   "dismissed, plus the added.")
    added: list[FollowUpEntry] = Field(description="Added from below the line or from off the list.")
    dismissed: list[FollowUpEntry]
    editable: bool = Field(description="Whether this week's follow-up can still be changed (the newest week).")


class MissingInput(BaseModel):
    input: str
    source: Literal["placements", "persons", "employers"]
    label: str = Field(description="The input in Dutch.")


class NoPrediction(BaseModel):
    missing: list[MissingInput]
    reason: str = Field(description="Why there is no prediction and how to correct the data, in Dutch.")


class UnscoredItem(BaseModel):
    placement_id: str
    team: str | None
    district: str | None
    jobcoach_id: str | None
    tenure_weeks: int
    missing: list[MissingInput]
    reason: str


class RiskListItem(BaseModel):
    placement_id: str
    rank: int
    risk_13w: float
    risk_52w: float
    team: str | None
    district: str | None
    jobcoach_id: str | None
    tenure_weeks: int
    previous_risk_52w: float | None
    change: Literal["new", "risen", "fallen", "same"]
    raised_by: list[str]
    suggestions: list[str]
    sample: bool = False  # drawn at random from below the list's cut (the steekproef), not ranked onto it
    band: Literal["laag", "verhoogd", "hoog"] = Field(
        description="The first-year risk's band by the deployment's cut points (LKS_RISK_BAND_*).")
    decision: ListDecision | None = Field(
        None, description="The newest decision recorded on this week's list or an earlier one, if any.")
    in_follow_up: bool = Field(False, description="In the week's follow-up (capacity line, added, dismissed).")
    follow_up: FollowUpRecord | None = Field(None, description="The week's newest add or dismiss, if any.")


class RiskListPage(BaseModel):
    as_of: date
    model_version: str
    list_id: int
    previous_as_of: date | None
    page: int
    page_size: int
    total: int
    items: list[RiskListItem]
    unscored: list[UnscoredItem] = Field(
        default_factory=list, description="Placements without a prediction (missing inputs): never ranked.")
    unscored_total: int = 0
    capacity: int | None = None
    follow_up: FollowUpWeek | None = None


class RiskListInfo(BaseModel):
    list_id: int
    as_of: date
    model_version: str
    input_hash: str
    created_at: Timestamp
    placements: int


class GroupSummary(BaseModel):
    group: str | None
    placements: int
    mean_risk_13w: float | None
    mean_risk_52w: float | None
    suppressed: bool


class ListSummary(BaseModel):
    as_of: date
    model_version: str
    placements: int
    min_group: int
    by_team: list[GroupSummary]
    by_district: list[GroupSummary]


class CurvePoint(BaseModel):
    week: int
    cif_uitval: float
    cif_neutral: float


class Curve(BaseModel):
    model_version: str
    points: list[CurvePoint]


class HistoryPoint(BaseModel):
    as_of: date
    model_version: str
    risk_13w: float
    risk_52w: float
    rank: int


class Action(BaseModel):
    action_id: int
    placement_id: str
    recorded_by: str
    at: Timestamp
    kind: Literal["intervention", "no_action"]
    intervention: str | None
    reason: str | None
    note: str | None


class PlacementFollowUp(BaseModel):
    in_follow_up: bool
    record: FollowUpRecord | None
    editable: bool = Field(description="Whether you may add or dismiss it now (a coordinator, the newest week).")


class PlacementDetail(BaseModel):
    placement_id: str
    as_of: date
    model_version: str
    team: str | None
    district: str | None
    jobcoach_id: str | None
    tenure_weeks: int
    risk_13w: float | None = Field(description="null: no prediction (see no_prediction).")
    risk_52w: float | None
    rank: int | None
    explanation: Explanation | None
    curve: Curve | None
    history: list[HistoryPoint]
    actions: list[Action]
    no_prediction: NoPrediction | None = Field(
        None, description="Set when a required input is missing: which, and how to correct it; no score then.")
    follow_up: PlacementFollowUp | None = None


class FollowUpIn(BaseModel):
    """Add a placement to this week's follow-up (no reason needed), or dismiss it (a reason required)."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["added", "dismissed"]
    reason: str | None = Field(None, max_length=MAX_REASON)


class FollowUp(FollowUpRecord):
    follow_up_id: int
    placement_id: str
    as_of: date


class ActionIn(BaseModel):
    """What a person decided: an intervention started, or no action and why. The model only advises."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["intervention", "no_action"]
    intervention: Literal[tuple(INTERVENTION)] | None = None  # type: ignore[valid-type]
    reason: str | None = Field(None, max_length=MAX_REASON)
    note: str | None = Field(None, max_length=MAX_NOTE, description="No personal details beyond what is needed.")


Value = float | int | str | None


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"features": {"tenure_weeks": 10, "hours_per_week": 24.0, "contract_type": "bepaald", "...": "..."}}]})
    features: dict[str, Value] = Field(
        description="Every model input by name (see GET /api/v1/model/features), tenure_weeks 0..51.")


class ScoreResponse(BaseModel):
    model_version: str
    risk_13w: float
    risk_52w: float
    explanation: Explanation
    curve: Curve | None


class SpecialData(BaseModel):
    dpia_reference: str | None = Field(description="the DPIA the model was trained under, or null")
    features: list[str] = Field(description="model inputs that read special-category data")
    columns: list[str] = Field(description="the special contract columns they read (table.column)")
    statement: str = Field(description="what the model card says about it, in Dutch")


class WeekPrecision(BaseModel):
    as_of: str
    precision_at_k: float | None
    k: int | None


class ModelInfo(BaseModel):
    name: str
    version: str
    model: str | None
    trained_on_data_as_of: str | None
    unknown_reasons: str | None = None
    n_features: int
    special_data: SpecialData
    registered_at: str | None
    run_id: str | None
    in_use_since: str | None = Field(None, description=(
        "When the version became champion: its promotion time (lks promote, or lks train for a first champion)."))
    in_use_since_source: Literal["promotion", "registration"] | None = Field(None, description=(
        "registration: no promotion time was recorded, so the registration time (when a first champion's "
        "alias was set) is given."))
    precision_by_week: dict[str, list[WeekPrecision]] = Field(default_factory=dict, description=(
        "Precision at k per backtest test week, for the model and for today's practice (current_practice)."))
    backtest: dict
    report_url: str
    features_url: str


class FeatureInfo(BaseModel):
    name: str
    type: Literal["number", "integer", "category"]
    categories: list[str] | None
    nullable: bool
    meaning: str | None


class ModelFeatures(BaseModel):
    model_version: str
    features: list[FeatureInfo]


class Me(BaseModel):
    name: str
    role: str
    teams: list[str]
    jobcoach_id: str | None


class UserInfo(BaseModel):
    name: str
    role: str
    teams: list[str]
    jobcoach_id: str | None
    created_at: Timestamp
    revoked_at: Timestamp | None


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    model_version: str | None
    database: bool
    refused: str | None = Field(None, description="why the registered champion is not used here (DPIA), if so")
