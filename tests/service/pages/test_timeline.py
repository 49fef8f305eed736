from datetime import date, datetime

from lks.service.pages.timeline import timeline


def test_events_and_decisions_newest_first_in_dutch():
    events = [
        {"event_date": datetime(2024, 3, 4), "event_type": "jobcoach_contact", "value_num": None,
         "value_text": "zorgelijk"},
        {"event_date": datetime(2024, 3, 11), "event_type": "sick_report", "value_num": None, "value_text": None},
        {"event_date": datetime(2024, 3, 18), "event_type": "hours_change", "value_num": 24.0, "value_text": None},
        {"event_date": datetime(2024, 2, 1), "event_type": "wage_value_assessment", "value_num": 62.5,
         "value_text": None},
        {"event_date": datetime(2024, 3, 18), "event_type": "intervention", "value_num": None,
         "value_text": "schuldhulp"},
    ]
    actions = [{"at": datetime(2024, 3, 18, 9, 0), "kind": "no_action", "intervention": None, "reason": "loopt al",
                "recorded_by": "coord"}]
    items = timeline(events, actions)
    assert [i["date"] for i in items] == sorted((i["date"] for i in items), reverse=True)
    assert items[0]["kind"] == "besluit" and "geen actie (loopt al)" in items[0]["text"]
    texts = [i["text"] for i in items]
    assert "Uren gewijzigd: 24 uur per week" in texts and "Interventie gestart: schuldhulp" in texts
    assert "Contact met de jobcoach (zorgelijk)" in texts and "Loonwaarde vastgesteld: 62,5%" in texts
    assert items[-1]["date"] == date(2024, 2, 1) and timeline([], []) == []
