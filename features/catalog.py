"""The documented feature list: every column `build_features` produces, in plain Dutch for the
coordinator, with the contract columns it is computed from, whether a jobcoach or employer
can act on it, and the explanation factor its contribution is summed into. Tests check it
against the produced frame and the contract roles;
`python -m lks.features.catalog > docs/features.md` writes the documentation.

Sources are contract columns (`table.column`) of role `feature` or `time`. Two exceptions, each
marked: `past_outcomes` counts how *other, earlier* placements ended (endings.reason_code, role
`label`), as known on the as-of date; the placement being scored never feeds its own. `special`
features read a special-category column (GDPR art. 9, health) and exist only when the deployment
names a DPIA reference (`SPECIAL`, not in the default `CATALOG`).
Keys are used only to join and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lks.data_contracts.schemas import codes
from lks.features.history_windows import CONTACT_KINDS, COUNTED, RATINGS, WINDOWS, window_name


@dataclass(frozen=True)
class Feature:
    name: str
    factor: str                   # the explanation factor it is summed into (`service.explanations.FACTORS`)
    meaning: str
    sources: tuple[str, ...]
    actionable: bool
    past_outcomes: bool = False
    special: bool = False         # reads a `special` column: only built under a DPIA reference


def _f(name: str, factor: str, meaning: str, sources: Iterable[str], actionable: bool = False,
       past_outcomes: bool = False, special: bool = False) -> Feature:
    return Feature(name, factor, meaning, tuple(sources), actionable, past_outcomes, special)


START = "placements.start_date"
EVENT = ("events.event_date", "events.event_type")
PAST = ("placements.start_date", "endings.end_date", "endings.reason_code")

_COUNT_MEANING = {  # stem -> (what is counted, actionable, explanation factor)
    "sick_reports": ("ziekmeldingen", False, "ziekmeldingen"),
    "recoveries": ("hersteldmeldingen", False, "ziekmeldingen"),
    "hours_changes": ("urenwijzigingen", True, "uren"),
    "employer_signals": ("signalen van de werkgever (alleen het aantal, niet de tekst)", True, "werkgever_signalen"),
    "interventions": ("gestarte interventies", True, "interventies"),
    "jobcoach_contacts": ("contacten met de jobcoach", True, "jobcoach_contact"),
    "municipality_contacts": ("contacten met de gemeente", True, "gemeente_contact"),
}
_KIND_DUTCH = {"jobcoach": "de jobcoach", "municipality": "de gemeente"}
_KIND_FACTOR = {"jobcoach": "jobcoach_contact", "municipality": "gemeente_contact"}


def _period(weeks: int | None) -> str:
    return f"in de laatste {weeks} weken" if weeks else "sinds de start"


def _window_features() -> list[Feature]:
    out = []
    for weeks in WINDOWS:
        for stem in COUNTED:
            what, actionable, factor = _COUNT_MEANING[stem]
            out.append(_f(window_name(stem, weeks), factor, f"Aantal {what} {_period(weeks)}.", EVENT, actionable))
        for kind in CONTACT_KINDS:
            for rating in RATINGS:
                out.append(_f(
                    window_name(f"{kind}_{rating}_share", weeks), _KIND_FACTOR[kind],
                    f"Aandeel contacten met {_KIND_DUTCH[kind]} {_period(weeks)} dat als {rating} is beoordeeld "
                    "(leeg als er geen contact was).",
                    (*EVENT, "events.value_text"), True,
                ))
    return out


PLACEMENT = [
    _f("tenure_weeks", "duur", "Aantal hele weken dat de medewerker bij deze werkgever werkt.", [START]),
    _f("hours_per_week", "uren", "Huidig aantal uren per week (na urenwijzigingen).",
       ["placements.hours_per_week", *EVENT, "events.value_num"], True),
    _f("hours_per_week_start", "uren", "Aantal uren per week bij de start.", ["placements.hours_per_week"]),
    _f("hours_change_since_start", "uren", "Verschil tussen de huidige uren en de uren bij de start.",
       ["placements.hours_per_week", *EVENT, "events.value_num"], True),
    _f("wage_value_pct", "loonwaarde", "Huidige loonwaarde in procenten (na de laatste loonwaardemeting).",
       ["placements.wage_value_pct", *EVENT, "events.value_num"], True),
    _f("wage_value_pct_start", "loonwaarde", "Loonwaarde bij de start.", ["placements.wage_value_pct"]),
    _f("wage_value_change_since_start", "loonwaarde", "Verschil tussen de huidige loonwaarde en die bij de start.",
       ["placements.wage_value_pct", *EVENT, "events.value_num"], True),
    _f("subsidy_type", "regeling",
       "Soort loonkostensubsidie (regulier, forfaitair, beschut).", ["placements.subsidy_type"]),
    _f("contract_type", "contract", "Soort contract: bepaalde of onbepaalde tijd.", ["placements.contract_type"], True),
    _f("weeks_to_planned_end", "contract", "Weken tot de geplande einddatum van het contract (na verlengingen; "
       "leeg bij onbepaalde tijd).", ["placements.planned_end_date", *EVENT, "events.value_text"], True),
    _f("contract_extensions", "contract", "Aantal contractverlengingen sinds de start.", EVENT, True),
    _f("months_on_benefit_before", "loopbaan", "Aantal maanden in de uitkering voor deze baan.",
       ["placements.months_on_benefit_before"]),
    _f("jobcoach_hours_per_month", "jobcoaching", "Toegekende uren jobcoaching per maand bij de start.",
       ["placements.jobcoach_hours_per_month"], True),
    _f("jobcoach_org_type", "jobcoaching", "Jobcoaching: geen, intern (eigen jobcoach werkgever) of extern.",
       ["placements.jobcoach_org"], True),
    _f("lks_delay_weeks", "regeling", "Weken tussen de eerste werkdag en de start van de loonkostensubsidie.",
       [START, "placements.lks_start_date"]),
    _f("springboard", "regeling",
       "Springplankbaan (een jaar bij Rotterdam Inclusief): 1 ja, 0 nee.", ["placements.springboard"]),
    _f("trial_placement_before", "regeling", "Er ging een proefplaatsing aan deze baan vooraf: 1 ja, 0 nee.",
       ["placements.trial_placement_before"]),
    _f("partial_benefit", "regeling",
       "Deeltijdbaan met een aanvullende uitkering: 1 ja, 0 nee.", ["placements.partial_benefit"]),
]

EVENTS = _window_features() + [
    _f("weeks_since_sick_report", "ziekmeldingen", "Weken sinds de laatste ziekmelding (leeg als er geen was).", EVENT),
    _f("weeks_since_recovery", "ziekmeldingen",
       "Weken sinds de laatste hersteldmelding (leeg als er geen was).", EVENT),
    _f("currently_sick", "ziekmeldingen",
       "Nu ziek gemeld: een ziekmelding zonder latere hersteldmelding (1 ja, 0 nee).", EVENT, True),
    _f("weeks_sick_current", "ziekmeldingen",
       "Weken dat de huidige ziekmelding al duurt (0 als niet ziek).", EVENT, True),
    _f("sick_expected_days_current", "ziekmeldingen",
       "Verwachte duur in dagen van de huidige ziekmelding (leeg als onbekend "
       "of niet ziek).", (*EVENT, "events.value_num")),
    *[
        f
        for kind in CONTACT_KINDS
        for f in (
            _f(f"weeks_since_{kind}_contact", _KIND_FACTOR[kind],
               f"Weken sinds het laatste contact met {_KIND_DUTCH[kind]} "
               "(leeg als er nog geen contact was).", EVENT, True),
            _f(f"no_{kind}_contact_yet", _KIND_FACTOR[kind],
               f"Nog geen enkel contact met {_KIND_DUTCH[kind]} (1 ja, 0 nee).", EVENT, True),
            *[_f(f"last_{kind}_contact_{rating}", _KIND_FACTOR[kind],
                 f"Het laatste contact met {_KIND_DUTCH[kind]} was {rating} "
                 "(1 ja, 0 nee, leeg als er geen contact was).", (*EVENT, "events.value_text"), True)
              for rating in RATINGS],
        )
    ],
    *[
        _f(f"intervention_{name}", "interventies", f"Aantal gestarte interventies '{name}' sinds de start.",
           (*EVENT, "events.value_text"), True)
        for name in codes.INTERVENTION
    ],
    _f("weeks_since_intervention", "interventies",
       "Weken sinds de laatste interventie (leeg als er geen was).", EVENT, True),
]

PERSON = [
    _f("education_level", "opleiding", "Opleidingsniveau.", ["persons.education_level"]),
    _f("target_group_register", "regeling", "Ingeschreven in het doelgroepregister banenafspraak (1 ja, 0 nee).",
       ["persons.target_group_register"]),
    _f("debt_problems", "schulden", "Bekende problematische schulden (1 ja, 0 nee).", ["persons.debt_problems"], True),
    _f("childcare_need", "kinderopvang", "Behoefte aan kinderopvang (1 ja, 0 nee).", ["persons.childcare_need"], True),
    _f("person_earlier_placements", "loopbaan", "Aantal eerdere LKS-banen van deze persoon (eerder gestart).", [START]),
    _f("person_earlier_ended", "loopbaan", "Aantal eerdere LKS-banen van deze persoon die al beëindigd zijn.",
       [START, "endings.end_date"]),
    _f("person_earlier_uitval", "loopbaan", "Aantal eerdere LKS-banen van deze persoon die eindigden in uitval.", PAST,
       past_outcomes=True),
]

EMPLOYER = [
    _f("sector", "werkgever", "Sector van de werkgever.", ["employers.sector"]),
    _f("size_class", "werkgever", "Grootte van de werkgever (aantal medewerkers).", ["employers.size_class"]),
    _f("employer_type", "werkgever",
       "Soort werkgever: regulier, Rotterdam Inclusief of gemeente.", ["employers.employer_type"]),
    _f("own_jobcoach", "jobcoaching",
       "De werkgever heeft een eigen (interne) jobcoach (1 ja, 0 nee).", ["employers.own_jobcoach"],
       True),
    _f("social_return", "werkgever", "De werkgever heeft een Social Return-verplichting (1 ja, 0 nee).",
       ["employers.social_return"]),
    _f("harrie_trained", "harrie", "De werkgever volgde de Harrie-training vóór deze datum (1 ja, 0 nee).",
       ["employers.harrie_training_date"], True),
    _f("employer_other_placements", "werkgever_ervaringen",
       "Aantal andere LKS-banen bij deze werkgever die al gestart zijn.", [START]),
    _f("employer_other_ended_52w", "werkgever_ervaringen",
       "Aantal andere LKS-banen bij deze werkgever die binnen een jaar eindigden.",
       [START, "endings.end_date"]),
    _f("employer_other_uitval", "werkgever_ervaringen",
       "Aantal andere LKS-banen bij deze werkgever die eindigden in uitval.", PAST,
       past_outcomes=True),
    _f("employer_other_uitval_share", "werkgever_ervaringen",
       "Aandeel van de andere LKS-banen bij deze werkgever dat eindigde in "
       "uitval (leeg als er geen andere waren).", PAST, past_outcomes=True),
]

HOURS_WAGE = ("placements.hours_per_week", "placements.wage_value_pct")
MATCH = [
    _f("hours_above_wage_value", "uren", "Uren per week bij de start boven wat bij deze loonwaarde gebruikelijk is "
       "(8 + 0,28 × loonwaarde): hoe hoger, hoe meer de baan vraagt dan de medewerker kan leveren.", HOURS_WAGE,
       True),
    _f("education_rank", "opleiding",
       "Opleidingsniveau als rangnummer (0 geen opleiding .. 7 hbo/wo; leeg als onbekend).",
       ["persons.education_level"]),
    _f("education_below_sector_need", "opleiding", "Opleidingsniveau lager dan wat de sector meestal vraagt "
       "(zorg, techniek, overheid: mbo 2; zakelijke dienstverlening: mbo 3/4): 1 ja, 0 nee, leeg als onbekend.",
       ["persons.education_level", "employers.sector"]),
    _f("early_hours_cut", "uren",
       "De uren zijn in de eerste 20 weken verlaagd tot onder de uren bij de start: 1 ja, 0 nee.",
       [START, "placements.hours_per_week", *EVENT, "events.value_num"]),
    _f("early_wage_value_assessment", "loonwaarde",
       "Er was in de eerste 20 weken een nieuwe loonwaardemeting: 1 ja, 0 nee.",
       [START, *EVENT]),
    _f("employer_uitval_rate_smoothed", "werkgever_ervaringen",
       "Aandeel uitval bij de andere afgeronde LKS-banen van deze werkgever "
       "(geëindigd of langer dan een jaar), bij weinig banen bijgetrokken naar het gemiddelde van alle werkgevers.",
       PAST, past_outcomes=True),
    _f("warning_signs_recent", "waarschuwingssignalen",
       "Recente waarschuwingssignalen (zorgelijke contacten, ziekmeldingen, signalen van de "
       "werkgever), elk meegeteld met een gewicht dat elke 4 weken halveert.", (*EVENT, "events.value_text")),
    _f("weeks_since_zorgelijk_contact", "waarschuwingssignalen",
       "Weken sinds het laatste zorgelijke contact met de jobcoach of de gemeente "
       "(leeg als er geen was).", (*EVENT, "events.value_text")),
    _f("reassuring_signs_recent", "positieve_contacten",
       "Recente positieve contacten met de jobcoach of de gemeente, elk meegeteld met "
       "een gewicht dat elke 4 weken halveert.", (*EVENT, "events.value_text")),
    _f("weeks_since_positief_contact", "positieve_contacten",
       "Weken sinds het laatste positieve contact met de jobcoach of de gemeente "
       "(leeg als er geen was).", (*EVENT, "events.value_text")),
]

# Built by the person features only when a DPIA reference is given (`features.build`).
SPECIAL = [
    _f("health_limitation", "gezondheid",
       "Bekende gezondheidsbeperking (1 ja, 0 nee). Bijzonder persoonsgegeven (AVG art. 9): "
       "alleen invoer als de installatie een DPIA-referentie noemt, en dan vermeld op de modelkaart.",
       ["persons.health_limitation"], special=True),
]

CATALOG: list[Feature] = PLACEMENT + EVENTS + PERSON + EMPLOYER + MATCH  # the inputs without a DPIA reference
BY_NAME = {f.name: f for f in CATALOG + SPECIAL}


def catalog(special: bool = False) -> list[Feature]:
    """The features `build_features` produces, in its column order; with `special` (a DPIA reference
    was given) the special features follow the person features."""
    return PLACEMENT + EVENTS + PERSON + (SPECIAL if special else []) + EMPLOYER + MATCH


def special_features(names: Iterable[str]) -> list[str]:
    """Those of `names` that are special features (read a special-category column)."""
    return [n for n in names if n in BY_NAME and BY_NAME[n].special]


def special_columns(names: Iterable[str]) -> list[str]:
    """The special contract columns (`table.column`) the features `names` read."""
    return list(dict.fromkeys(s for n in special_features(names) for s in BY_NAME[n].sources))


def markdown() -> str:
    lines = [
        "# Features",
        "",
        "Generated from `features/catalog.py` (`python -m lks.features.catalog > docs/features.md`); a test keeps",
        "it in sync. Every feature is computed as of a date from what was registered by the end of that day.",
        "Sources are contract columns (role `feature` or `time`); features marked *past outcomes* also count",
        "how other, earlier placements ended (endings.reason_code) as known on that date. Features marked",
        "*special* read a special-category column (GDPR art. 9, health): they are built only when the",
        "deployment names a DPIA reference (`LKS_DPIA_REFERENCE`), and without one they do not exist.",
        "",
        "The factor is the group a feature's contribution is summed into in a placement's explanation",
        "(`service/explanations.py` words each factor in Dutch).",
        "",
        "| feature | factor | betekenis | bronkolommen | beïnvloedbaar door coach/werkgever |",
        "|---|---|---|---|---|",
    ]
    for f in catalog(special=True):
        sources = ", ".join(f"`{s}`" for s in dict.fromkeys(f.sources))
        if f.past_outcomes:
            sources += " (past outcomes)"
        if f.special:
            sources += " (special: only with a DPIA reference)"
        lines.append(f"| `{f.name}` | {f.factor} | {f.meaning} | {sources} | {'ja' if f.actionable else 'nee'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
