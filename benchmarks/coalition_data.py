"""The names and wordings the coalition generator draws from (benchmarks/coalition.py)."""

from __future__ import annotations

NATIONS = [  # code, name: the demo's seven, and 23 more
    ("NM", "Northmark"), ("VAL", "Valdoria"), ("OST", "Ostland"), ("CAL", "Caledor"),
    ("MER", "Meridia"), ("LAK", "Lakeland"), ("HN", "Host nation"), ("ARD", "Ardenia"),
    ("BRV", "Brevania"), ("CST", "Costavia"), ("DRN", "Dornland"), ("ELS", "Elsmark"),
    ("FRS", "Frisonia"), ("GAL", "Galmoria"), ("HLV", "Helvara"), ("ISL", "Islavia"),
    ("JUT", "Jutmark"), ("KAR", "Karelia Nova"), ("LUS", "Lusitara"), ("MOR", "Morvania"),
    ("NOR", "Norvale"), ("PAN", "Pannonia"), ("RHN", "Rhenland"), ("SAV", "Savaria"),
    ("TAR", "Tarvonia"), ("UPL", "Uplandia"), ("VEN", "Venetra"), ("WES", "Westmark"),
    ("ZEL", "Zelandia"), ("AUR", "Auralia"),
]  # fmt: skip
LINES = {  # objective: (title, unit, base quantity, pledge step)
    "SKY": [
        ("Air policing fighters", "aircraft", 16, 1),
        ("Medium-range ground-based air defence", "batteries", 6, 1),
        ("Airborne surveillance and early warning", "flight hours/month", 480, 20),
        ("Air-to-air refuelling", "flight hours/month", 200, 10),
        ("Counter-drone detachments", "detachments", 8, 1),
    ],
    "SEA": [
        ("Mine countermeasures vessels", "ships", 6, 1),
        ("Maritime patrol aircraft", "flight hours/month", 240, 10),
        ("Escort frigates", "ships", 4, 1),
        ("Harbour protection teams", "teams", 5, 1),
    ],
    "LAND": [
        ("Reassurance battlegroups", "battlegroups", 4, 1),
        ("Role 2 field hospitals", "units", 2, 1),
        ("Engineer and bomb-disposal companies", "companies", 3, 1),
        ("Strategic airlift, first 30 days", "sorties", 60, 2),
        ("Headquarters and coordination-cell staff", "personnel", 180, 5),
        ("Military police platoons", "platoons", 6, 1),
    ],
    "UAF": [
        ("Training places (out of country allowed)", "training places/year", 12_000, 100),
        ("Equipment funding", "EUR/year", 1_500_000_000, 5_000_000),
        ("Instructor teams", "teams", 20, 1),
    ],
}
REGIONS = ["north", "south", "east", "west", "coast", "capital", "reserve", "rotation 2"]
CONDITIONS = [  # each class the digest groups by, in several wordings
    "the US provides the AWACS backstop",
    "US backstop",
    "a United States enabler package",
    "subject to a vote in parliament",
    "parliamentary approval",
    "cabinet decision next month",
    "a UN Security Council resolution",
    "a status of forces agreement (SOFA)",
    "a legal mandate",
    "clarity on the rules of engagement",
    "robust ROE",
    "host-nation fuel support",
    "transport by the lead nation",
    "force protection by others",
]
CAVEATS = ["only in the western region", "no night operations", "rotations of 4 months", ""]
QUESTION_TEXTS = [
    "What are the rules of engagement for {about}?",
    "Who provides the air-cover backstop for {about}?",
    "What is the legal status of our forces under {about}?",
    "Can the needed-by date of {about} move by a month?",
    "Is host-nation fuel available for {about}?",
    "Which headquarters commands {about}?",
]
