"""Allowed values of the contract's enumerated columns (data contract v1).

End reasons are not here: they are versioned configuration (`config/end_reasons.yaml`).
"""

GENDER = ["M", "V", "X", "onbekend"]
MIGRATION_BACKGROUND = ["geen", "westers", "niet_westers", "onbekend"]
DUTCH_LANGUAGE_LEVEL = ["onvoldoende", "basis", "voldoende", "onbekend"]
EDUCATION_LEVEL = [
    "geen", "basisonderwijs", "vmbo", "mbo1", "mbo2", "mbo3_4", "havo_vwo", "hbo_wo", "onbekend",
]
SECTOR = [
    "zorg", "horeca", "schoonmaak", "logistiek", "detailhandel", "techniek", "productie", "groen",
    "overheid", "zakelijke_dienstverlening", "overig",
]
SIZE_CLASS = ["1-9", "10-49", "50-249", "250+"]
EMPLOYER_TYPE = ["regulier", "rotterdam_inclusief", "gemeente"]
CONTRACT_TYPE = ["bepaald", "onbepaald"]
SUBSIDY_TYPE = ["regulier", "forfaitair", "beschut"]
EVENT_TYPE = [
    "jobcoach_contact", "municipality_contact", "employer_signal", "sick_report",
    "recovery_report", "wage_value_assessment", "hours_change", "contract_extension",
    "intervention",
]
CONTACT_ASSESSMENT = ["positief", "neutraal", "zorgelijk"]
INTERVENTION = [
    "extra_jobcoaching", "loonwaarde_onderzoek", "taken_aangepast", "overstap_begeleiding",
    "harrie_training", "schuldhulp",
]
REGISTRATION = ["legacy", "structured"]

# Rotterdam areas (gebieden) used by the simulator; the contract allows any string.
DISTRICTS = [
    "Centrum", "Delfshaven", "Overschie", "Noord", "Hillegersberg-Schiebroek", "Kralingen-Crooswijk",
    "Feijenoord", "IJsselmonde", "Pernis", "Prins Alexander", "Charlois", "Hoogvliet", "Hoek van Holland",
    "Rozenburg",
]
SOUTH_DISTRICTS = ["Feijenoord", "Charlois", "IJsselmonde"]  # the NPRZ view
