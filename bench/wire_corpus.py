# ruff: noqa: E501 (sentence templates read best one to a line)
"""Invented wire copy for the clustering evaluation and the ingest benchmark.

Every event, place, person and agency here is made up, and every sentence is ours. An
event is a kind of news (a strike, a flood, a vote...) with its own place, people,
numbers and day; several agencies report it in their own words (different headline and
sentence templates, facts in another order, numbers rounded their way), some send an
update the next day, some resend a report under a new guid. Hard negatives: the same
people and places in a different event on a different day, and the same kind of event
in another town on the same day.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

PLACES = [
    ("Port Calder", "Velmar"), ("Besk", "Velmar"), ("Orvinsted", "Velmar"),
    ("Tarnow Reach", "Ostrava Isles"), ("Kelmouth", "Ostrava Isles"), ("Sundry Bay", "Ostrava Isles"),
    ("Ardent Falls", "Norland Union"), ("Greyharbour", "Norland Union"), ("Lissow", "Norland Union"),
    ("Marrowgate", "Pellan"), ("Quenby", "Pellan"), ("Halvik", "Pellan"),
    ("Ostmere", "Drava Republic"), ("Venn Crossing", "Drava Republic"), ("Raskin", "Drava Republic"),
    ("Celt Harbour", "Lune Coast"), ("Mirrow", "Lune Coast"), ("Fennick", "Lune Coast"),
    ("Dunmere", "Kessan"), ("Aldbury Cross", "Kessan"), ("Tollin", "Kessan"),
    ("Wexley Point", "Sarn"), ("Brenholt", "Sarn"), ("Iselford", "Sarn"),
]  # fmt: skip
FIRST = [
    "Tomas",
    "Mara",
    "Ilse",
    "Oren",
    "Lin",
    "Ana",
    "Rui",
    "Sela",
    "Jorek",
    "Petra",
    "Ivo",
    "Hana",
    "Dag",
    "Nel",
    "Bram",
    "Ketil",
    "Uma",
    "Vera",
    "Joss",
    "Alma",
]
LAST = [
    "Reyk",
    "Velt",
    "Varga",
    "Vask",
    "Tamsa",
    "Kell",
    "Osk",
    "Dorn",
    "Halloran",
    "Strand",
    "Meck",
    "Pirro",
    "Lund",
    "Aske",
    "Corvin",
    "Tallis",
    "Brody",
    "Fenn",
    "Marsk",
    "Quill",
]
ROLES = [
    "the transport minister", "the mayor", "a union leader", "the harbour master",
    "the fire chief", "a police spokesman", "the health minister", "a court spokeswoman",
    "the energy minister", "the head of the coast guard", "the finance minister",
    "a regional governor", "a hospital director", "the chief engineer",
]  # fmt: skip
ORGS = [
    "Calder Seafarers Union", "Northern Rail Board", "Velmar Power Company", "Orvin Water Authority",
    "Pellan Port Trust", "Drava Mining Group", "Lune Coast Guard", "Kessan Medical Agency",
    "Sarn Farmers League", "Union of Dock Workers", "Isles Ferry Company", "Federal Roads Office",
]  # fmt: skip
AGENCIES = [
    ("Northwind Press", "NP", "rss"),
    ("Harbor Line Wire", "HLW", "atom"),
    ("Meridian News Agency", "MNA", "ninjs"),
    ("Calder Press Service", "CPS", "rss"),
    ("Velmar Radio Wire", "VRW", "atom"),
    ("Isles Newswire", "IN", "ninjs"),
]

# {p} place, {c} country, {a} person, {r} role, {b} second person, {s} second role,
# {o} organisation, {n} a number, {m} a second number, {d} weekday.
KINDS: dict[str, dict[str, list[str]]] = {
    "strike": {
        "head": [
            "{o} workers strike in {p} over pay",
            "Strike halts {o} services in {p}",
            "{p} stalled as {o} staff walk out",
            "Walkout by {o} leaves {p} at a standstill",
        ],
        "lead": [
            "Workers of the {o} in {p} stopped work on {d}, demanding back pay for {n} months of overtime.",
            "A strike by {o} staff brought {p} to a halt on {d} in a row over {n} months of unpaid overtime.",
            "{o} employees in {p} walked out on {d}, saying they had not been paid overtime for {n} months.",
        ],
        "body": [
            "{a}, {r}, said talks could begin within days.",
            "About {m} commuters were stranded, according to local officials.",
            "The walkout is the first at the {o} in a decade.",
            "{b}, {s}, urged both sides to return to the table.",
            "Officials said about {m} people were affected by the stoppage.",
        ],
        "quote": [
            "We will not go back until the ministry answers our letter",
            "Our members have waited long enough for their pay",
        ],
        "update": [
            "Talks between the {o} and the ministry were set for the next morning.",
            "The union said the strike would continue until a deal was signed.",
        ],
    },
    "flood": {
        "head": [
            "Floods force evacuations in {p}",
            "River bursts banks in {p}, hundreds leave homes",
            "{p} residents flee rising water",
            "Flooding swamps streets of {p}",
        ],
        "lead": [
            "Rising water forced about {m} people from their homes in {p} on {d} after {n} days of heavy rain.",
            "Residents of {p} were evacuated on {d} as the river rose after {n} days of rain.",
            "Floodwater reached the centre of {p} on {d}, and some {m} residents left their homes.",
        ],
        "body": [
            "{a}, {r}, said emergency shelters had been opened in schools.",
            "The {o} warned that levels could rise further overnight.",
            "Roads into {p} were closed and trains were cancelled.",
            "{b}, {s}, said no one had been hurt so far.",
            "Forecasters expect more rain in {c} later this week.",
        ],
        "quote": [
            "The water came up faster than anyone expected",
            "We are asking people to stay away from the river banks",
        ],
        "update": [
            "Water levels in {p} began to fall on the following day.",
            "Officials said the first residents could return home within days.",
        ],
    },
    "fire": {
        "head": [
            "Fire destroys warehouse in {p}",
            "Blaze at {p} depot sends smoke over city",
            "Huge fire at {p} warehouse, {n} injured",
            "Firefighters battle warehouse blaze in {p}",
        ],
        "lead": [
            "A fire tore through a warehouse in {p} on {d}, injuring {n} people and sending smoke across the city.",
            "Firefighters fought a large blaze at a depot in {p} on {d}; {n} people were hurt.",
            "{n} people were injured when fire swept through a storage depot in {p} on {d}.",
        ],
        "body": [
            "{a}, {r}, said the cause was not yet known.",
            "About {m} firefighters were sent to the scene.",
            "Residents were told to keep their windows closed.",
            "{b}, {s}, said the building belonged to the {o}.",
            "The blaze was under control by the evening, officials said.",
        ],
        "quote": [
            "The smoke could be seen from across the bay",
            "Our crews worked through the night to stop it spreading",
        ],
        "update": [
            "Investigators said on the following day that the fire began in an electrical cabinet.",
            "Two of the injured remained in hospital.",
        ],
    },
    "vote": {
        "head": [
            "{c} parliament approves new fishing quotas",
            "Lawmakers in {c} back smaller catch limits",
            "{c} votes to cut fishing quotas",
            "Quota bill passes in {c} parliament",
        ],
        "lead": [
            "The parliament of {c} voted on {d} to cut fishing quotas by {n} percent after warnings about falling stocks.",
            "Lawmakers in {c} approved a {n} percent cut in fishing quotas on {d}.",
            "{c}'s parliament backed smaller catch limits on {d}, lowering quotas by {n} percent.",
        ],
        "body": [
            "{a}, {r}, said stocks had fallen for a third year.",
            "The bill passed by {m} votes to {n}.",
            "Fishing crews from {p} protested outside the parliament.",
            "{b}, {s}, called the cut painful but necessary.",
            "The new limits take effect next season.",
        ],
        "quote": [
            "Without this cut there will be no fish left to catch",
            "The fleet cannot survive another cut like this",
        ],
        "update": [
            "The president of {c} signed the bill into law the following day.",
            "Fishing groups said they would challenge the law in court.",
        ],
    },
    "bridge": {
        "head": [
            "Bridge collapses in {p}, {n} hurt",
            "Road bridge gives way in {p}",
            "{p} bridge collapse cuts main road",
            "Part of bridge falls into river at {p}",
        ],
        "lead": [
            "A road bridge in {p} collapsed on {d}, injuring {n} people and cutting the main route into the city.",
            "Part of a bridge over the river at {p} gave way on {d}; {n} people were hurt.",
            "{n} people were injured when a bridge in {p} collapsed on {d}.",
        ],
        "body": [
            "{a}, {r}, said the bridge had been inspected last year.",
            "The {o} said repairs could take {m} days.",
            "Traffic was diverted through the old town.",
            "{b}, {s}, ordered checks on all bridges in the region.",
            "Divers searched the river for vehicles.",
        ],
        "quote": [
            "This bridge should have been closed months ago",
            "Every bridge of this type will be checked this week",
        ],
        "update": [
            "Engineers said on the following day that corrosion had weakened the supports.",
            "A temporary crossing will open next month.",
        ],
    },
    "ship": {
        "head": [
            "Cargo ship runs aground off {p}",
            "Freighter stuck on rocks near {p}",
            "Grounded ship leaks fuel off {p}",
            "Coast guard races to grounded vessel near {p}",
        ],
        "lead": [
            "A cargo ship ran aground off {p} on {d} with {n} crew aboard, the coast guard said.",
            "A freighter carrying {m} tonnes of grain struck rocks near {p} on {d}.",
            "The coast guard was sent to a grounded cargo vessel off {p} on {d}; its {n} crew were safe.",
        ],
        "body": [
            "{a}, {r}, said a small amount of fuel had leaked.",
            "Tugs will try to free the ship at high tide.",
            "The {o} closed the harbour entrance.",
            "{b}, {s}, said the crew would stay aboard for now.",
            "Fishermen were told to avoid the area.",
        ],
        "quote": [
            "The crew are safe and the hull is holding",
            "We will refloat her at the next high tide",
        ],
        "update": [
            "The ship was refloated on the following day and towed into harbour.",
            "The fuel leak was contained with booms.",
        ],
    },
    "power": {
        "head": [
            "Power cut leaves {p} in the dark",
            "Blackout hits {m} homes in {p}",
            "{p} without electricity after grid failure",
            "Grid fault cuts power across {p}",
        ],
        "lead": [
            "About {m} homes in {p} lost power on {d} after a fault at a substation.",
            "A blackout left much of {p} without electricity for {n} hours on {d}.",
            "Electricity was cut to {m} households in {p} on {d} when a substation failed.",
        ],
        "body": [
            "{a}, {r}, said the fault had been found.",
            "The {o} said supply would be restored by evening.",
            "Traffic lights failed across the city centre.",
            "{b}, {s}, said hospitals ran on generators.",
            "Schools in {p} closed early.",
        ],
        "quote": [
            "We are working to bring everyone back online tonight",
            "The old substation simply could not cope",
        ],
        "update": [
            "Power was fully restored on the following morning.",
            "The company said the substation would be replaced.",
        ],
    },
    "resign": {
        "head": [
            "{a} resigns as {r}",
            "{r} {a} steps down",
            "{a} quits after criticism",
            "Resignation of {a} shakes {c} government",
        ],
        "lead": [
            "{a} resigned as {r} of {c} on {d} after weeks of criticism over a delayed contract.",
            "{a}, {r}, stepped down on {d}, saying the government needed a fresh start.",
            "{c}'s {r}, {a}, quit on {d} following a row over a contract with the {o}.",
        ],
        "body": [
            "{b}, {s}, will take over for now.",
            "The opposition had called for the resignation for {n} weeks.",
            "The contract with the {o} is under review.",
            "Elections are due in {c} next year.",
            "Protesters had gathered in {p} for {n} days.",
        ],
        "quote": [
            "I leave so that the work can go on",
            "It was the right decision for the country",
        ],
        "update": [
            "A successor is expected to be named within the week.",
            "The government said the contract would be put out to tender again.",
        ],
    },
    "quake": {
        "head": [
            "Earthquake shakes {p}",
            "Quake of magnitude {n} strikes near {p}",
            "{p} hit by strong earthquake",
            "Buildings damaged as quake rocks {p}",
        ],
        "lead": [
            "An earthquake of magnitude {n} struck near {p} on {d}, damaging buildings and cutting roads.",
            "A strong quake shook {p} on {d}; the magnitude was put at {n}.",
            "Buildings cracked in {p} on {d} when an earthquake of magnitude {n} hit the region.",
        ],
        "body": [
            "{a}, {r}, said {m} buildings had been checked.",
            "There were no reports of deaths.",
            "Aftershocks were felt through the night.",
            "{b}, {s}, said schools would stay shut.",
            "The {o} sent teams to inspect dams.",
        ],
        "quote": [
            "The whole house moved like a boat",
            "We are checking every school before children return",
        ],
        "update": [
            "Engineers declared most schools safe on the following day.",
            "Aftershocks continued but were weaker.",
        ],
    },
    "recall": {
        "head": [
            "{o} recalls heart drug after tests",
            "Medicine recall ordered in {c}",
            "{c} pulls batches of heart medicine",
            "Heart drug withdrawn from pharmacies in {c}",
        ],
        "lead": [
            "The {o} recalled {n} batches of a heart medicine on {d} after tests found impurities.",
            "Pharmacies in {c} were told on {d} to remove {n} batches of a heart drug.",
            "{c} ordered a recall of a heart medicine on {d} when impurities were found in {n} batches.",
        ],
        "body": [
            "{a}, {r}, said patients should not stop taking it without advice.",
            "About {m} patients use the drug.",
            "The maker said it was cooperating fully.",
            "{b}, {s}, said there were no reports of harm.",
            "Replacement stock is expected within weeks.",
        ],
        "quote": [
            "Patients should speak to their doctor before stopping",
            "There is no sign anyone has been harmed",
        ],
        "update": [
            "The maker said on the following day that a supplier's batch was to blame.",
            "New stock reached pharmacies within the week.",
        ],
    },
}


@dataclass
class Report:
    guid: str
    agency: int
    event: int
    headline: str
    body: list[str]
    when: datetime.datetime
    byline: str = ""
    dateline: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Event:
    id: int
    kind: str
    slots: dict[str, str]
    when: datetime.datetime


def _fill(template: str, slots: dict[str, str]) -> str:
    text = template.format(**slots)
    return text[0].upper() + text[1:]


def make_event(rng: random.Random, n: int, when: datetime.datetime, **fixed: str) -> Event:
    kind = fixed.pop("kind", None) or rng.choice(list(KINDS))
    place, country = rng.choice(PLACES)
    people = rng.sample([f"{f} {last}" for f in FIRST for last in LAST], 2)
    slots = {
        "p": place,
        "c": country,
        "a": people[0],
        "b": people[1],
        "r": rng.choice(ROLES),
        "s": rng.choice(ROLES),
        "o": rng.choice(ORGS),
        "n": str(rng.randint(2, 9)),
        "m": str(rng.randint(2, 90) * 100),
        "d": when.strftime("%A"),
    }
    slots.update(fixed)
    return Event(n, kind, slots, when)


def write_report(
    rng: random.Random, event: Event, agency: int, guid: str, update: bool = False
) -> Report:
    kind = KINDS[event.kind]
    slots = dict(event.slots)
    if rng.random() < 0.3:
        # Agencies round their numbers their own way.
        slots["m"] = f"more than {int(slots['m']) - 100}" if int(slots["m"]) > 200 else slots["m"]
    sentences = [_fill(rng.choice(kind["lead"]), slots)]
    body = rng.sample(kind["body"], k=rng.randint(2, 4))
    sentences += [_fill(s, slots) for s in body]
    quote = rng.choice(kind["quote"])
    speaker = slots["a"] if rng.random() < 0.6 else slots["b"]
    sentences.insert(rng.randint(1, len(sentences)), f'"{quote}," {speaker} said.')
    when = event.when + datetime.timedelta(minutes=rng.randint(0, 240))
    if update:
        sentences.insert(1, _fill(rng.choice(kind["update"]), slots))
        when += datetime.timedelta(hours=rng.randint(12, 30))
    headline = _fill(rng.choice(kind["head"]), slots)
    if update:
        headline = "UPDATE: " + headline
    return Report(
        guid=guid,
        agency=agency,
        event=event.id,
        headline=headline,
        body=sentences,
        when=when,
        byline=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        dateline=slots["p"].upper(),
    )


def generate(
    seed: int, events: int, start: datetime.datetime, hard_negatives: bool = True
) -> list[Report]:
    """Reports of ``events`` events over about ``events // 4`` days."""
    rng = random.Random(seed)
    reports: list[Report] = []
    made: list[Event] = []
    seen: dict[tuple[str, str], list[datetime.datetime]] = {}
    days = max(1, events // 4)
    serial = 0
    for n in range(events):
        when = start + datetime.timedelta(days=rng.randint(0, days), hours=rng.randint(6, 18))
        if hard_negatives and made and rng.random() < 0.35:
            base = rng.choice(made)
            if rng.random() < 0.5:
                # The same people and place, another kind of news, days apart.
                kinds = [k for k in KINDS if k != base.kind]
                fixed = {k: base.slots[k] for k in ("p", "c", "a", "o")}
                when = base.when + datetime.timedelta(days=rng.choice([-6, -4, -3, 3, 4, 6]))
                event = make_event(rng, n, when, kind=rng.choice(kinds), **fixed)
            else:
                # The same kind of news elsewhere, the same day.
                event = make_event(rng, n, base.when + datetime.timedelta(hours=2), kind=base.kind)
        else:
            event = make_event(rng, n, when)
        twins = seen.get((event.kind, event.slots["p"]), [])
        if any(abs(when - event.when) < datetime.timedelta(days=8) for when in twins):
            # Two floods in one town in one week would be one story to any editor: not a
            # fair negative, so the town changes.
            event.slots["p"], event.slots["c"] = rng.choice(
                [pc for pc in PLACES if pc[0] != event.slots["p"]]
            )
        seen.setdefault((event.kind, event.slots["p"]), []).append(event.when)
        made.append(event)
        for agency in rng.sample(range(len(AGENCIES)), k=rng.randint(2, 5)):
            serial += 1
            report = write_report(rng, event, agency, f"urn:{AGENCIES[agency][1].lower()}:{serial}")
            reports.append(report)
            if rng.random() < 0.15:
                serial += 1
                reports.append(
                    write_report(
                        rng,
                        event,
                        agency,
                        f"urn:{AGENCIES[agency][1].lower()}:{serial}",
                        update=True,
                    )
                )
            if rng.random() < 0.1:
                serial += 1
                copy = Report(**{**report.__dict__, "guid": f"urn:resend:{serial}"})
                reports.append(copy)
    return reports


# Feed files ---------------------------------------------------------------------------------


def rss(reports: list[Report], title: str) -> bytes:
    items = "".join(
        f'<item><guid isPermaLink="false">{escape(r.guid)}</guid><title>{escape(r.headline)}</title>'
        f"<author>desk@wire.example ({escape(r.byline)})</author>"
        f"<pubDate>{format_datetime(r.when)}</pubDate>"
        f"<description>{escape(''.join(f'<p>{escape(s)}</p>' for s in r.body))}</description></item>"
        for r in reports
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>https://wire.example/</link><description>wire</description>{items}</channel></rss>"
    ).encode()


def atom(reports: list[Report], title: str) -> bytes:
    entries = "".join(
        f"<entry><id>{escape(r.guid)}</id><title>{escape(r.headline)}</title>"
        f"<author><name>{escape(r.byline)}</name></author><updated>{r.when.isoformat()}</updated>"
        f'<content type="html">{escape("".join(f"<p>{escape(s)}</p>" for s in r.body))}</content></entry>'
        for r in reports
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:feed:{escape(title)}</id>"
        f"<updated>2026-11-01T00:00:00Z</updated>{entries}</feed>"
    ).encode()


def ninjs(reports: list[Report], title: str) -> bytes:
    return json.dumps(
        {
            "items": [
                {
                    "uri": r.guid,
                    "type": "text",
                    "versioncreated": r.when.isoformat(),
                    "headline": r.headline,
                    "byline": r.byline,
                    "located": r.dateline,
                    "copyrightholder": title,
                    "body_html": "".join(f"<p>{escape(s)}</p>" for s in r.body),
                }
                for r in reports
            ]
        }
    ).encode()


WRITERS = {"rss": rss, "atom": atom, "ninjs": ninjs}
SUFFIX = {"rss": "rss", "atom": "atom", "ninjs": "json"}


def write_feeds(reports: list[Report], folder: Path, per_file: int = 500) -> list[Path]:
    """One feed file per agency (split every ``per_file`` reports) in its own format."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (name, short, fmt) in enumerate(AGENCIES):
        mine = [r for r in reports if r.agency == n]
        for part in range(0, len(mine), per_file):
            path = folder / f"{short.lower()}-{part // per_file}.{SUFFIX[fmt]}"
            path.write_bytes(WRITERS[fmt](mine[part : part + per_file], name))
            paths.append(path)
    return paths
