"""A small hand-made municipality with late registrations and corrections, shared by tests."""

from __future__ import annotations

from tests.exports import employer, ending, event, make_history, person, placement


def rich_history():
    return make_history(
        persons=[
            person(person_id="P1", registered_at="2024-01-02T09:00:00"),
            person(person_id="P1", debt_problems=True, registered_at="2024-05-02T09:00:00"),  # correction
            person(person_id="P2", gender="M", education_level="vmbo", registered_at="2024-01-03T09:00:00"),
        ],
        employers=[
            employer(employer_id="W1", registered_at="2024-01-02T09:00:00"),
            employer(employer_id="W1", harrie_training_date="2024-04-01", registered_at="2024-03-20T09:00:00"),
            employer(employer_id="W2", sector="horeca", size_class="1-9", registered_at="2024-01-02T09:00:00"),
        ],
        placements=[
            placement(placement_id="PL0", person_id="P1", employer_id="W1", start_date="2023-03-06",
                      registered_at="2023-03-10T09:00:00"),
            placement(placement_id="PL1", person_id="P1", employer_id="W1", start_date="2024-01-08",
                      registered_at="2024-02-20T10:00:00"),  # LKS granted late: registered 6 weeks in
            placement(placement_id="PL1", person_id="P1", employer_id="W1", start_date="2024-01-08",
                      hours_per_week=20.0, registered_at="2024-04-10T10:00:00"),  # corrected
            placement(placement_id="PL2", person_id="P2", employer_id="W1", start_date="2024-02-05",
                      contract_type="onbepaald", planned_end_date=None, jobcoach_org="intern",
                      registered_at="2024-02-06T10:00:00"),
            placement(placement_id="PL3", person_id="P2", employer_id="W2", start_date="2023-09-04",
                      jobcoach_org=None, registered_at="2023-09-05T10:00:00"),
        ],
        events=[
            event(event_id="E1", placement_id="PL1", event_type="sick_report", event_date="2024-03-04",
                  value_num=10.0, value_text=None, registered_at="2024-03-20T08:00:00"),  # late sick report
            event(event_id="E2", placement_id="PL1", event_type="recovery_report", event_date="2024-03-18",
                  value_text=None, registered_at="2024-03-19T08:00:00"),
            event(event_id="E3", placement_id="PL1", event_type="jobcoach_contact", event_date="2024-03-25",
                  value_text="zorgelijk", registered_at="2024-03-26T08:00:00"),
            event(event_id="E3", placement_id="PL1", event_type="jobcoach_contact", event_date="2024-03-25",
                  value_text="neutraal", registered_at="2024-04-03T08:00:00"),  # corrected assessment
            event(event_id="E4", placement_id="PL1", event_type="hours_change", event_date="2024-04-15",
                  value_num=32.0, value_text=None, registered_at="2024-04-16T08:00:00"),
            event(event_id="E5", placement_id="PL2", event_type="wage_value_assessment", event_date="2024-04-01",
                  value_num=70.0, value_text=None, registered_at="2024-04-09T08:00:00"),
            event(event_id="E6", placement_id="PL2", event_type="intervention", event_date="2024-04-02",
                  value_text="extra_jobcoaching", registered_at="2024-04-02T12:00:00"),
            event(event_id="E7", placement_id="PL3", event_type="contract_extension", event_date="2024-03-01",
                  value_text="2025-06-30", registered_at="2024-03-04T08:00:00"),
            event(event_id="E8", placement_id="PL3", event_type="municipality_contact", event_date="2024-03-11",
                  value_text="positief", registered_at="2024-03-11T15:00:00"),
            event(event_id="E9", placement_id="PL3", event_type="employer_signal", event_date="2024-03-12",
                  value_text="vrije tekst", registered_at="2024-03-12T15:00:00"),
            event(event_id="E10", placement_id="PL2", event_type="sick_report", event_date="2024-04-22",
                  value_text=None, registered_at="2024-04-22T15:00:00"),
        ],
        endings=[
            ending(placement_id="PL0", end_date="2023-08-01", reason_code="conflict",
                   registered_at="2023-08-20T09:00:00"),
            ending(placement_id="PL3", end_date="2024-04-05", reason_code="ander_werk",
                   registered_at="2024-04-25T09:00:00"),  # late registration
            ending(placement_id="PL3", end_date="2024-04-05", reason_code="verzuim",
                   registered_at="2024-05-10T09:00:00"),  # corrected reason
        ],
    )


AS_OF_DATES = ["2024-01-15", "2024-02-20", "2024-03-19", "2024-03-20", "2024-03-26", "2024-04-03",
               "2024-04-10", "2024-04-16", "2024-04-24", "2024-04-25", "2024-05-10", "2024-06-03"]
