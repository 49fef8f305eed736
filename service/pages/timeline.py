"""A placement's timeline for the jobcoach before a visit: its events from the store (as known now) and
the decisions recorded on it, one list, newest first, each as a date, a Dutch description and a kind."""

from __future__ import annotations

from datetime import datetime

from lks.service.explanations import INTERVENTIONS

EVENTS = {  # event_type -> (kind for the page, Dutch text)
    "jobcoach_contact": ("contact", "Contact met de jobcoach"),
    "municipality_contact": ("contact", "Contact met de gemeente"),
    "employer_signal": ("signaal", "Signaal van de werkgever"),
    "sick_report": ("ziek", "Ziekmelding"),
    "recovery_report": ("hersteld", "Hersteld gemeld"),
    "wage_value_assessment": ("loonwaarde", "Loonwaarde vastgesteld"),
    "hours_change": ("uren", "Uren gewijzigd"),
    "contract_extension": ("contract", "Contract verlengd"),
    "intervention": ("interventie", "Interventie gestart"),
}
ASSESSMENTS = {"positief": "positief", "neutraal": "neutraal", "zorgelijk": "zorgelijk"}


def _number(value: float | None) -> str:
    return "onbekend" if value is None else f"{value:g}".replace(".", ",")


def _event(event: dict) -> dict:
    kind, text = EVENTS.get(event["event_type"], ("overig", event["event_type"]))
    value, code = event.get("value_num"), event.get("value_text")
    if event["event_type"] in ("jobcoach_contact", "municipality_contact") and code:
        text += f" ({ASSESSMENTS.get(code, code)})"
    elif event["event_type"] == "wage_value_assessment":
        text += f": {_number(value)}%"
    elif event["event_type"] == "hours_change":
        text += f": {_number(value)} uur per week"
    elif event["event_type"] == "intervention" and code:
        text += f": {INTERVENTIONS.get(code, code)}"
    day = event["event_date"]
    return {"date": day.date() if isinstance(day, datetime) else day, "kind": kind, "text": text}


def _decision(action: dict) -> dict:
    if action["kind"] == "intervention":
        text = f"Besluit: interventie {INTERVENTIONS.get(action['intervention'], action['intervention'])}"
    else:
        text = f"Besluit: geen actie ({action['reason']})"
    return {"date": action["at"].date(), "kind": "besluit", "text": f"{text}, vastgelegd door {action['recorded_by']}"}


def timeline(events: list[dict], actions: list[dict]) -> list[dict]:
    """Events and decisions together, newest first (on one day: decisions after the events)."""
    items = [_event(e) for e in events] + [_decision(a) for a in actions]
    order = {"besluit": 1}
    return sorted(items, key=lambda i: (i["date"], order.get(i["kind"], 0)), reverse=True)


