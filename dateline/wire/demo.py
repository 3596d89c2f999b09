"""The demo's wire desk: three invented agencies drop feeds into folders under var/.

``dateline demo`` calls ``load``: each agency gets a drop-folder provider and one feed
file in its own format (RSS, Atom, ninjs), dated relative to now, and each is polled at
once, so the desk, its clusters and "Write story" can be tried as soon as the site
runs. A few events are reported by two or three agencies, in their own words and with
their own status prefixes ("URGENT", "UPDATE 1-"), so they cluster on the desk; one is
reported by one agency only. Every agency, person, place and quote here is invented.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from dateline.wire.models import Provider
from dateline.wire.transports import poll


@dataclass(frozen=True)
class Agency:
    name: str
    short_name: str
    format: str
    domain: str
    takes_the: bool = False


HARBOUR = Agency("Harbour Wire Service", "HWS", "rss", "wire.harbour.example")
LOWLAND = Agency("Lowland Newswire", "LN", "atom", "lowland-newswire.example")
VELMAR = Agency("Velmar Press Agency", "VPA", "ninjs", "vpa.example", takes_the=True)
AGENCIES = (HARBOUR, LOWLAND, VELMAR)


@dataclass(frozen=True)
class Report:
    agency: Agency
    key: str
    minutes_ago: int
    headline: str
    place: str
    paragraphs: tuple[str, ...]
    byline: str = ""


@dataclass
class WireDemoResult:
    providers: list[Provider] = field(default_factory=list)
    reports: int = 0


REPORTS = (
    # A rail bridge closed: three agencies within the hour.
    Report(
        HARBOUR,
        "besk-bridge",
        50,
        "URGENT: Rail bridge at Besk closed after inspectors find cracks",
        "BESK",
        (
            "Trains between Besk and Port Calder were halted on the Orvin rail bridge after "
            "inspectors found cracks in two of its steel girders, the Velmar rail authority said.",
            "\u201cWe will not run a single train over that bridge until the engineers tell us "
            "it is sound,\u201d said Hanne Solvik, who runs the line for the rail authority.",
            "Buses will carry passengers between Besk and the next station while the bridge "
            "is examined, which could take until the end of the week.",
        ),
        byline="Pia Grell",
    ),
    Report(
        LOWLAND,
        "besk-bridge",
        35,
        "Besk rail bridge shut as engineers examine cracked girders",
        "BESK",
        (
            "Engineers began examining the Orvin rail bridge at Besk after inspectors found "
            "cracks in its steel girders and the rail authority halted all trains on the line "
            "to Port Calder.",
            "Hanne Solvik of the rail authority said no train would cross the bridge until "
            "engineers said it was sound. Buses replace trains between Besk and Port Calder.",
        ),
    ),
    Report(
        VELMAR,
        "besk-bridge",
        20,
        "UPDATE 1-Trains halted at Besk bridge for a week after cracks found",
        "BESK",
        (
            "Trains will not cross the Orvin rail bridge at Besk for at least a week after "
            "inspectors found cracks in its steel girders, the rail authority said on Sunday.",
            "\u201cWe will not run a single train over that bridge until the engineers tell us "
            "it is sound,\u201d Hanne Solvik of the rail authority told reporters at Besk "
            "station.",
            "Buses will carry passengers between Besk and Port Calder in the meantime.",
        ),
        byline="Oren Vast",
    ),
    # Harbour pilots: two agencies.
    Report(
        HARBOUR,
        "pilots-rota",
        180,
        "Port Calder harbour pilots vote for new night rota",
        "PORT CALDER",
        (
            "Harbour pilots at Port Calder voted for a new night rota that puts two pilots on "
            "every night shift from next month, ending a dispute over long hours.",
            "\u201cNobody should guide a tanker into this harbour after sixteen hours awake,\u201d "
            "said pilots' spokesman Arvid Lunde.",
        ),
    ),
    Report(
        VELMAR,
        "pilots-rota",
        150,
        "Port Calder pilots back two-pilot night shifts, ending rota dispute",
        "PORT CALDER",
        (
            "Harbour pilots at Port Calder backed a night rota with two pilots on every shift, "
            "ending their dispute with the port authority over long hours.",
            "Spokesman Arvid Lunde said the pilots had voted by a large majority for the rota, "
            "which starts next month.",
        ),
        byline="Oren Vast",
    ),
    # Interest rates: two agencies.
    Report(
        LOWLAND,
        "rates",
        300,
        "BREAKING: Velmar central bank holds rates at 3.25 percent",
        "NORRHAVEN",
        (
            "The central bank of Velmar held its main interest rate at 3.25 percent on Sunday, "
            "saying prices in the shops were still rising faster than it wanted.",
            "\u201cWe are not yet where we need to be on prices,\u201d governor Ilse Varga told "
            "a news conference in Norrhaven.",
        ),
    ),
    Report(
        VELMAR,
        "rates",
        270,
        "Velmar central bank keeps main rate at 3.25 percent",
        "NORRHAVEN",
        (
            "Velmar's central bank kept its main interest rate at 3.25 percent, with governor "
            "Ilse Varga saying shop prices were still rising faster than the bank wanted.",
            "The bank's next rate decision is due in six weeks.",
        ),
    ),
    # One agency alone.
    Report(
        HARBOUR,
        "orchards",
        420,
        "Orvin valley orchards expect an early apple harvest",
        "ORVIN",
        (
            "Growers in the Orvin valley expect to start picking apples a fortnight early after "
            "a warm, dry autumn, the valley's growers' association said.",
            "\u201cThe trees have never been this far ahead in my thirty years,\u201d said grower "
            "Maret Hollis.",
        ),
    ),
)


def drop_root() -> Path:
    """Where drop folders live: the configured root, else var/wire-drop."""
    return Path(getattr(settings, "WIRE_DROP_ROOT", settings.VAR_DIR / "wire-drop"))


def _body_html(report: Report) -> str:
    # The agency's own dateline opens the text, as wire copy does.
    first, *rest = report.paragraphs
    lead = f"{report.place}, Velmar \u2014 {first}" if report.agency is HARBOUR else first
    return "".join(f"<p>{escape(p)}</p>" for p in (lead, *rest))


def _url(report: Report) -> str:
    return f"https://{report.agency.domain}/stories/{report.key}-{slugify(report.headline)[:40]}"


def rss(reports: list[Report], now: datetime.datetime) -> str:
    def item(report: Report) -> str:
        when = format_datetime(now - datetime.timedelta(minutes=report.minutes_ago), usegmt=True)
        author = (
            f"<author>desk@{report.agency.domain} ({escape(report.byline)})</author>"
            if report.byline
            else ""
        )
        return f"""
    <item>
      <guid isPermaLink="false">urn:{report.agency.short_name.lower()}:{report.key}</guid>
      <title>{escape(report.headline)}</title>
      <link>{escape(_url(report))}</link>
      {author}
      <pubDate>{when}</pubDate>
      <description>{escape(_body_html(report))}</description>
    </item>"""

    agency = reports[0].agency
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>{escape(agency.name)}</title>
    <link>https://{agency.domain}/</link>
    <description>{escape(agency.name)} (demo, invented)</description>{"".join(map(item, reports))}
  </channel>
</rss>
"""


def atom(reports: list[Report], now: datetime.datetime) -> str:
    def when(report: Report) -> str:
        return (now - datetime.timedelta(minutes=report.minutes_ago)).isoformat()

    agency = reports[0].agency
    entries = "".join(
        f"""
  <entry>
    <id>urn:{agency.short_name.lower()}:{report.key}</id>
    <title>{escape(report.headline)}</title>
    <published>{when(report)}</published>
    <updated>{when(report)}</updated>
    <rights>\u00a9 {now.year} {escape(agency.name)} (demo)</rights>
    <link rel="alternate" href="{escape(_url(report))}"/>
    <content type="html">{escape(_body_html(report))}</content>
  </entry>"""
        for report in reports
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{escape(agency.name)}</title>
  <id>urn:{agency.short_name.lower()}:feed</id>
  <updated>{now.isoformat()}</updated>{entries}
</feed>
"""


def ninjs(reports: list[Report], now: datetime.datetime) -> str:
    agency = reports[0].agency
    items = []
    for report in reports:
        when = (now - datetime.timedelta(minutes=report.minutes_ago)).isoformat()
        items.append(
            {
                "uri": f"urn:{agency.short_name.lower()}:text:{report.key}",
                "type": "text",
                "version": "1",
                "firstcreated": when,
                "versioncreated": when,
                "pubstatus": "usable",
                "headline": report.headline,
                "byline": report.byline,
                "located": report.place,
                "copyrightholder": agency.name,
                "copyrightnotice": f"\u00a9 {now.year} {agency.name} (demo)",
                "usageterms": "Demo content, invented",
                "body_html": _body_html(report),
            }
        )
    return json.dumps({"items": items}, indent=1, ensure_ascii=False)


WRITERS = {"rss": rss, "atom": atom, "ninjs": ninjs}


def load(now: datetime.datetime | None = None) -> WireDemoResult:
    """Set up the demo agencies' drop folders and feeds, and poll each once."""
    now = (now or timezone.now()).replace(microsecond=0)
    result = WireDemoResult()
    for agency in AGENCIES:
        folder = drop_root() / slugify(agency.name)
        folder.mkdir(parents=True, exist_ok=True)
        reports = [r for r in REPORTS if r.agency is agency]
        extension = {"rss": "rss", "atom": "atom", "ninjs": "json"}[agency.format]
        feed = folder / f"demo-{now:%Y%m%d%H%M}.{extension}"
        feed.write_text(WRITERS[agency.format](reports, now), encoding="utf-8")
        provider, _ = Provider.objects.update_or_create(
            name=agency.name,
            defaults={
                "short_name": agency.short_name,
                "takes_the": agency.takes_the,
                "transport": Provider.Transport.FOLDER,
                "format": agency.format,
                "folder": str(folder),
                "read_at": f"{agency.name} wire (demo)",
            },
        )
        report = poll(provider, now)
        result.providers.append(provider)
        result.reports += report.created if report else 0
    return result
