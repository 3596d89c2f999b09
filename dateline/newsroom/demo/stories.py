"""The demo newsroom's invented world: sections, staff, agencies and events.

Everything here is fiction written for Dateline. The countries (Varenland,
Osterra, Kelvoria, Telmark, Caldoria, the Sundmere Islands), their towns, people,
companies and newspapers do not exist. Only the news agencies named as sources
are real, because an attribution names who reported a story; the stories
themselves are ours.

Each event holds the facts of one story as short sentences. ``writer.py`` turns
an event into an article: it adds the attributions, picks the order, the
subheads and the quotes' placement, so forty events read as forty articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Weight = Literal["top", "normal", "minor"]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    reporter: str


@dataclass(frozen=True)
class Staff:
    name: str
    role: str
    bio: str
    organisation: bool = False


@dataclass(frozen=True)
class Agency:
    name: str
    short: str
    takes_the: bool


@dataclass(frozen=True)
class Quote:
    text: str
    speaker: str
    role: str


@dataclass(frozen=True)
class Event:
    """One story's facts. ``lede`` has no full stop and may hold ``{day}``."""

    section: str
    headline: str
    standfirst: str
    city: str
    country: str
    lede: str
    details: tuple[str, str]
    quote: Quote
    background: str
    next: str
    tags: tuple[str, ...]
    caption: str
    weight: Weight = "normal"
    correction: str = ""


FICTION_NOTE = "Invented for the Dateline demo: this person does not exist."

SECTIONS: tuple[Section, ...] = (
    Section("world", "World News", "Reports from every corner of our map.", "Mara Velt"),
    Section(
        "politics", "Politics", "Parliaments, elections and the people in charge.", "Jonah Prell"
    ),
    Section("business", "Business", "Companies, jobs, prices and money.", "Sabine Okoro-Lund"),
    Section(
        "science",
        "Science",
        "Discoveries, instruments and the people behind them.",
        "Ravi Castellan",
    ),
    Section("climate", "Climate", "Weather, energy and a changing landscape.", "Ines Vahl"),
    Section("culture", "Culture", "Books, film, music, museums and the stage.", "Tobias Quern"),
)

STAFF: tuple[Staff, ...] = (
    Staff(
        "Mara Velt", "Foreign correspondent", f"Covers the islands and the coast. {FICTION_NOTE}"
    ),
    Staff(
        "Jonah Prell",
        "Politics editor",
        f"Has watched four parliaments come and go. {FICTION_NOTE}",
    ),
    Staff(
        "Sabine Okoro-Lund",
        "Business reporter",
        f"Follows shipyards, shops and banks. {FICTION_NOTE}",
    ),
    Staff(
        "Ravi Castellan",
        "Science correspondent",
        f"Writes about telescopes and bees. {FICTION_NOTE}",
    ),
    Staff("Ines Vahl", "Climate reporter", f"Reports on weather, water and energy. {FICTION_NOTE}"),
    Staff(
        "Tobias Quern",
        "Culture writer",
        f"Reviews books and goes to too many premieres. {FICTION_NOTE}",
    ),
    Staff(
        "Ledger Wire Desk",
        "Compiled by our editors from agency reports",
        "The desk that turns agency copy into our stories. Part of the Dateline demo.",
        organisation=True,
    ),
    Staff(
        "Calder Newswire",
        "News agency",
        "A news agency invented for the Dateline demo; it does not exist.",
        organisation=True,
    ),
)
WIRE_DESK = "Ledger Wire Desk"
PARTNER_AGENCY = "Calder Newswire"

AGENCIES: tuple[Agency, ...] = (
    Agency("Associated Press", "AP", True),
    Agency("Reuters", "Reuters", False),
    Agency("Agence France-Presse", "AFP", False),
)

# Invented newspapers that carried the agency reports, by country.
NEWSPAPERS: dict[str, tuple[str, ...]] = {
    "Varenland": ("The Halvik Courier", "Grensby Evening Post"),
    "Osterra": ("Estrelle Morning Herald", "The Mirabay Chronicle"),
    "Kelvoria": ("The Drovna Record", "Sallit Daily"),
    "Telmark": ("Norrow Evening Star", "The Telmark Observer"),
    "Caldoria": ("Vessa Daily Record", "The Corvane Post"),
    "the Sundmere Islands": ("Calder Harbour Gazette",),
}

# A story scheduled to go live tomorrow morning, as an embargoed prize result would be.
SCHEDULED = Event(
    section="culture",
    headline="Edda Lorne wins the Rhenna Prize for 'Winter Accounts of the Salt Road'",
    standfirst="The judges chose a novel about a family of salt traders over four debut books.",
    city="Norrow",
    country="Telmark",
    lede="The novelist Edda Lorne has won the Rhenna Prize for fiction for 'Winter Accounts "
    "of the Salt Road', the judges announced {day}",
    details=(
        "The book follows three generations of a family hauling salt across the Tessel "
        "mountains, told through the ledgers they keep.",
        "Lorne, 58, was shortlisted twice before and is the oldest winner in the prize's "
        "40-year history.",
    ),
    quote=Quote(
        "I wrote it in the kitchen, in the mornings, before anyone else was awake. "
        "I did not expect it to leave the kitchen.",
        "Edda Lorne",
        "winner of the Rhenna Prize",
    ),
    background="The Rhenna Prize is open to novels written in any of the region's languages "
    "and comes with a translation grant.",
    next="Her publisher said a translation into four languages would follow next year.",
    tags=("Telmark", "Books", "Prizes"),
    caption="Edda Lorne at a reading in Norrow.",
)

EVENTS: tuple[Event, ...] = (
    # World ---------------------------------------------------------------
    Event(
        section="world",
        headline="Ferries return to the Sundmere Islands after four days of gales",
        standfirst="Island shops had run short of fresh food before the first boat crossed "
        "at dawn.",
        city="Port Calder",
        country="the Sundmere Islands",
        lede="Ferry services between the Sundmere Islands and the mainland resumed {day} "
        "after a four-day suspension caused by gales",
        details=(
            "The first crossing left Port Calder shortly after dawn with about 300 passengers "
            "and a hold full of fresh food and medical supplies.",
            "Island shops had run short of milk and bread by the weekend, and two patients "
            "awaiting hospital treatment were flown out by helicopter.",
        ),
        quote=Quote(
            "We have never had to close the harbour for this long in November. The crews "
            "worked through the night to be ready the moment the wind dropped.",
            "Ilse Maren",
            "harbour master at Port Calder",
        ),
        background="The islands, home to about 14,000 people, depend on two ageing ferries, "
        "and a replacement vessel ordered three years ago is still in the builder's yard.",
        next="The regional council will meet next week to discuss a third ship and a larger "
        "emergency food store.",
        tags=("Sundmere Islands", "Transport", "Weather"),
        caption="Passengers queue at the ferry terminal in Port Calder.",
        weight="top",
        correction="An earlier version of this article said the first ferry carried about "
        "400 passengers. The operator's figure is about 300.",
    ),
    Event(
        section="world",
        headline="Kelvoria and Telmark agree to reopen the Sallit border crossing",
        standfirst="A customs dispute had closed the mountain route for eight months, forcing "
        "lorries on long detours.",
        city="Drovna",
        country="Kelvoria",
        lede="Kelvoria and Telmark agreed {day} to reopen the Sallit border crossing, closed "
        "for eight months after a dispute over customs fees",
        details=(
            "Lorry drivers had faced detours of up to 300 kilometres through the Tessel "
            "mountains while the crossing was shut.",
            "Under the agreement, each side keeps its own fees but the two customs services "
            "will share a single inspection shed.",
        ),
        quote=Quote(
            "This is not a grand treaty. It is a gate that opens in the morning, and for "
            "people on both sides that matters more.",
            "Hanne Lisberg",
            "foreign minister of Telmark",
        ),
        background="The dispute began in March, when Kelvoria doubled its charge for freight "
        "inspections and Telmark answered with a charge of its own.",
        next="The crossing is expected to reopen to cars on Monday and to freight a week later.",
        tags=("Kelvoria", "Telmark", "Trade"),
        caption="Lorries parked at the closed Sallit crossing.",
    ),
    Event(
        section="world",
        headline="Observers call Caldoria's regional vote orderly despite ballot shortages",
        standfirst="Turnout was the highest in twenty years, with some polling stations open "
        "late into the night.",
        city="Vessa",
        country="Caldoria",
        lede="International observers said {day} that Caldoria's regional elections had been "
        "largely orderly, though they recorded long queues and a shortage of ballot papers "
        "in the north",
        details=(
            "Turnout reached 61 percent, the election commission said, the highest for a "
            "regional vote in two decades.",
            "In Corvane, the second city, some polling stations stayed open three hours late "
            "so that the queues could clear.",
        ),
        quote=Quote(
            "Voters waited patiently in the cold. The process was not perfect, but it was theirs.",
            "Ruth Adeyemi-Kross",
            "head of the observer mission",
        ),
        background="It was the first vote since Caldoria redrew its regional boundaries, a "
        "change the opposition said favoured the governing party.",
        next="Final results are due by the end of the week.",
        tags=("Caldoria", "Elections"),
        caption="Voters queue outside a school in Corvane.",
    ),
    Event(
        section="world",
        headline="Twenty-three fishermen rescued after two days adrift off Osterra",
        standfirst="A patrol aircraft found the powerless trawler 90 kilometres from the "
        "nearest port.",
        city="Mirabay",
        country="Osterra",
        lede="Coastguard crews rescued 23 fishermen {day} after their trawler lost power and "
        "drifted for two days off the coast of Osterra",
        details=(
            "A patrol aircraft spotted the vessel 90 kilometres south of Mirabay, and a "
            "coastguard cutter towed it into port overnight.",
            "All of the crew were in good health, although several were treated for exposure.",
        ),
        quote=Quote(
            "Our radio died with the engine. We rationed the water and took turns watching "
            "the horizon.",
            "Bruno Alcaide",
            "the trawler's captain",
        ),
        background="Osterra's fishing fleet has shrunk by a third in a decade, and many of the "
        "boats still working are more than 30 years old.",
        next="The maritime authority has opened an inquiry into the engine failure.",
        tags=("Osterra", "Fishing", "Rescue"),
        caption="A coastguard cutter returns to Mirabay.",
    ),
    Event(
        section="world",
        headline="Halvik residents told to boil water after floods swamp treatment plant",
        standfirst="The advice covers about 180,000 households and could last until the weekend.",
        city="Halvik",
        country="Varenland",
        lede="Residents of Halvik were told {day} to boil their tap water after heavy rain "
        "overwhelmed a treatment plant on the Rhenna river",
        details=(
            "About 180,000 households are covered by the advice, which the city's water "
            "company said could stay in place until the weekend.",
            "Schools stayed open but served bottled water, and the city handed out water at "
            "six distribution points.",
        ),
        quote=Quote(
            "There is no sign that anyone has been made ill. We are asking people to boil "
            "water as a precaution while we test every part of the network.",
            "Pieter Hollis",
            "chief engineer at Halvik Water",
        ),
        background="The plant, built in the 1970s, was due for an upgrade that the city "
        "council postponed last year to save money.",
        next="The council is to debate bringing the upgrade forward at its next meeting.",
        tags=("Varenland", "Halvik", "Water"),
        caption="Residents collect bottled water at a distribution point in Halvik.",
    ),
    Event(
        section="world",
        headline="Avalanche shuts the Tessel pass, stranding hundreds in a mountain village",
        standfirst="Villagers in Ashkel and the monks of a nearby monastery put up about 400 "
        "travellers for the night.",
        city="Ashkel",
        country="Telmark",
        lede="An avalanche closed the Tessel pass {day}, leaving about 400 travellers to spend "
        "the night in schools and a monastery on the Telmark side of the mountains",
        details=(
            "Road crews said the slide had buried a 200-metre stretch of road under several "
            "metres of snow.",
            "Villagers in Ashkel opened their homes to families with young children.",
        ),
        quote=Quote(
            "We had soup for everyone by nine o'clock. The monks found blankets we did not "
            "know they had.",
            "Teodor Halm",
            "mayor of Ashkel",
        ),
        background="The pass is the only road between the two countries in winter, and it "
        "closes several times a year.",
        next="Engineers hope to reopen one lane by Thursday if the weather holds.",
        tags=("Telmark", "Weather", "Transport"),
        caption="Snow ploughs wait at the foot of the Tessel pass.",
        weight="minor",
    ),
    Event(
        section="world",
        headline="Kelvoria frees two journalists held for six weeks",
        standfirst="The pair were detained while reporting on a protest at a copper mine; "
        "the charges against them were dropped.",
        city="Drovna",
        country="Kelvoria",
        lede="Two journalists detained in Kelvoria for six weeks while reporting on a protest "
        "at a copper mine were released {day} and flown home",
        details=(
            "The pair, who work for a broadcaster in Telmark, had been held in Drovna on a "
            "charge of entering a restricted zone.",
            "The charge was dropped on their release, and press freedom groups welcomed the "
            "decision.",
        ),
        quote=Quote(
            "We were treated correctly, but six weeks is a long time to wait for a phone call.",
            "Lena Drach",
            "one of the two journalists",
        ),
        background="Kelvoria tightened access to its mining regions two years ago, and "
        "foreign reporters now need a permit to visit them.",
        next="The broadcaster said it would apply for a permit to return.",
        tags=("Kelvoria", "Press freedom"),
        caption="The two journalists arrive at the airport in Norrow.",
    ),
    # Politics ------------------------------------------------------------
    Event(
        section="politics",
        headline="Varenland's coalition survives a confidence vote by seven votes",
        standfirst="Prime Minister Tomas Arvel kept his government together after a week-long "
        "row over rail cuts.",
        city="Halvik",
        country="Varenland",
        lede="Varenland's three-party coalition survived a confidence vote {day}, ending a "
        "week of uncertainty over the government's budget",
        details=(
            "Prime Minister Tomas Arvel won by 88 votes to 81 in the 171-seat parliament, "
            "with two members of his own coalition abstaining.",
            "The vote was called after the smaller Rural Party threatened to quit over cuts "
            "to regional rail services.",
        ),
        quote=Quote(
            "The coalition has been tested, and it has held. Now we go back to work on the budget.",
            "Tomas Arvel",
            "prime minister of Varenland",
        ),
        background="Arvel's coalition took office 18 months ago, after an election that left "
        "no party with more than a quarter of the seats.",
        next="The budget goes to a final vote in parliament next month.",
        tags=("Varenland", "Parliament", "Rail"),
        caption="Members of parliament leave the chamber in Halvik after the vote.",
        weight="top",
    ),
    Event(
        section="politics",
        headline="Osterra's finance minister resigns over pension costings",
        standfirst="A leaked memo showed her department had underestimated the cost of the "
        "government's flagship scheme.",
        city="Estrelle",
        country="Osterra",
        lede="Osterra's finance minister, Lucia Ferrand, resigned {day}, two days after a "
        "leaked memo showed that her department had underestimated the cost of a new "
        "pension scheme",
        details=(
            "The memo, published by a newspaper in Estrelle, put the shortfall at 1.2 billion "
            "euros over five years.",
            "Ferrand said she had not seen the figures before the scheme was announced.",
        ),
        quote=Quote(
            "I take responsibility for the work of my department, including the parts I did "
            "not see.",
            "Lucia Ferrand",
            "the outgoing finance minister",
        ),
        background="The scheme was the centrepiece of the government's programme, promising "
        "higher payments to about two million retired workers.",
        next="The prime minister is expected to name a successor by the end of the week.",
        tags=("Osterra", "Pensions", "Government"),
        caption="Lucia Ferrand leaves the finance ministry in Estrelle.",
        weight="top",
    ),
    Event(
        section="politics",
        headline="Telmark lowers the voting age to 16 for local elections",
        standfirst="The change, pushed by a campaign of school students, will let about "
        "90,000 more people vote.",
        city="Norrow",
        country="Telmark",
        lede="Telmark's parliament voted {day} to lower the voting age to 16 for local "
        "elections, after a campaign led largely by school students",
        details=(
            "The measure passed by 112 votes to 64 and will apply from the municipal "
            "elections in two years.",
            "About 90,000 young people will become eligible to vote.",
        ),
        quote=Quote(
            "We pay bus fares, we work weekend jobs, we live with the decisions. Now we get "
            "a say in them.",
            "Mira Tollan",
            "a 17-year-old organiser of the campaign",
        ),
        background="Two of Telmark's neighbours already let 16-year-olds vote in local "
        "elections, and turnout among the youngest voters there has been higher than "
        "expected.",
        next="Civic education classes will be expanded in the last two years of secondary school.",
        tags=("Telmark", "Elections", "Young people"),
        caption="Students follow the vote from the public gallery in Norrow.",
    ),
    Event(
        section="politics",
        headline="Caldoria's opposition walks out of parliament over a flood fund report",
        standfirst="The Democratic Forum says it will stay away until the government "
        "publishes how emergency money was spent.",
        city="Vessa",
        country="Caldoria",
        lede="Caldoria's main opposition party said {day} that it would boycott parliament "
        "until the government publishes a report on how emergency funds were spent after "
        "last year's floods",
        details=(
            "The Democratic Forum holds 41 of the 150 seats, and its absence will delay "
            "several committee hearings.",
            "The government says the report contains personal data and must be edited "
            "before it can be released.",
        ),
        quote=Quote(
            "Citizens gave this money in a crisis. They have a right to know where it went.",
            "Aurel Vantosh",
            "leader of the Democratic Forum",
        ),
        background="Floods in the Corvane valley last spring displaced about 30,000 people "
        "and prompted an emergency appeal that raised more than 400 million euros.",
        next="The speaker of parliament has invited both sides to talks on Thursday.",
        tags=("Caldoria", "Parliament", "Floods"),
        caption="Empty opposition benches in the parliament in Vessa.",
    ),
    Event(
        section="politics",
        headline="Former teacher wins Sallit run-off to become its first independent mayor",
        standfirst="Noor Castell campaigned on repairing the trams and opening school "
        "playgrounds at weekends.",
        city="Sallit",
        country="Kelvoria",
        lede="A 34-year-old former schoolteacher won the mayoralty of Sallit {day}, becoming "
        "the first independent to run Kelvoria's third-largest city",
        details=(
            "Noor Castell took 52 percent of the vote in a run-off against the candidate of "
            "the governing party.",
            "She campaigned on repairing the city's trams and opening school playgrounds to "
            "the public at weekends.",
        ),
        quote=Quote(
            "People here did not vote for a party. They voted for trams that work.",
            "Noor Castell",
            "mayor-elect of Sallit",
        ),
        background="Sallit has been governed by the same party since the 1990s.",
        next="Castell takes office on the first day of next month.",
        tags=("Kelvoria", "Local government"),
        caption="Noor Castell greets supporters in Sallit.",
        weight="minor",
    ),
    Event(
        section="politics",
        headline="Ombudsman faults Varenland's housing ministry over rent support delays",
        standfirst="More than 6,000 applications have waited longer than the law allows.",
        city="Halvik",
        country="Varenland",
        lede="Varenland's ombudsman criticised the housing ministry {day} for leaving more "
        "than 6,000 applications for rent support unanswered for longer than the law allows",
        details=(
            "The average wait for a decision has grown from six weeks to five months since a "
            "new computer system was introduced, the report found.",
            "Some tenants fell behind with their rent while they waited.",
        ),
        quote=Quote(
            "A right that arrives five months late is, for many families, no right at all.",
            "Johanna Fell",
            "Varenland's parliamentary ombudsman",
        ),
        background="The rent support scheme helps about 240,000 households on low incomes.",
        next="The ministry said it would hire 80 temporary staff to clear the backlog by spring.",
        tags=("Varenland", "Housing"),
        caption="A housing estate on the edge of Halvik.",
    ),
    Event(
        section="politics",
        headline="Mirabay will vote on taking control of its ports and schools",
        standfirst="The referendum next spring is about self-government, not independence, "
        "both sides say.",
        city="Mirabay",
        country="Osterra",
        lede="Osterra's government and the regional council of Mirabay agreed {day} to hold a "
        "referendum next spring on giving the coastal region control of its ports and schools",
        details=(
            "The vote will not address independence, which neither side has proposed.",
            "A turnout of at least 40 percent will be needed for the result to be binding.",
        ),
        quote=Quote(
            "This is about who decides how our harbours are run, not about flags.",
            "Teresa Lumi",
            "president of the Mirabay regional council",
        ),
        background="Mirabay handles about half of Osterra's sea freight but receives a fifth "
        "of the national port budget, a gap local politicians have complained about for "
        "years.",
        next="The national electoral board will publish the wording of the question within "
        "a month.",
        tags=("Osterra", "Referendum", "Ports"),
        caption="Container cranes at the port of Mirabay.",
    ),
    # Business ------------------------------------------------------------
    Event(
        section="business",
        headline="Grensby shipyard wins electric ferry order, securing 1,100 jobs",
        standfirst="Four battery ferries for a Telmark operator will keep Varenland's largest "
        "yard busy for three years.",
        city="Grensby",
        country="Varenland",
        lede="A shipyard in Grensby won an order {day} to build four electric ferries, "
        "securing about 1,100 jobs at Varenland's largest yard for at least three years",
        details=(
            "The order, from a ferry operator in Telmark, is worth about 380 million euros.",
            "The yard laid off 300 workers last year when an order for a cruise ship was "
            "cancelled.",
        ),
        quote=Quote(
            "This order means the apprentices we took on this autumn will finish their "
            "training here.",
            "Henrik Sallow",
            "chief executive of Grensby Marine",
        ),
        background="Ferry operators across the region are replacing diesel ships to meet "
        "emissions rules that take effect in 2030.",
        next="The first ferry is due to be delivered in 2028.",
        tags=("Varenland", "Shipbuilding", "Jobs"),
        caption="A hull takes shape in a dry dock in Grensby.",
        weight="top",
    ),
    Event(
        section="business",
        headline="Bank of Osterra holds rates and warns inflation is slow to ease",
        standfirst="Prices are still rising faster than the bank's target, led by food and rents.",
        city="Estrelle",
        country="Osterra",
        lede="Osterra's central bank held its main interest rate at 3.5 percent {day}, saying "
        "inflation was falling more slowly than it had expected",
        details=(
            "Consumer prices rose 3.1 percent in the year to October, down from 3.4 percent "
            "in September, with food and rents still climbing quickly.",
            "Most economists had expected the decision, although a few had forecast a small cut.",
        ),
        quote=Quote(
            "We are close, but close is not the same as done. Cutting too early would risk "
            "undoing two years of work.",
            "Sanne Dufort",
            "governor of the Bank of Osterra",
        ),
        background="The bank raised rates eight times over two years as prices climbed after "
        "a poor harvest and a jump in energy costs.",
        next="The next rate decision is due in late January.",
        tags=("Osterra", "Interest rates", "Economy"),
        caption="The headquarters of the Bank of Osterra in Estrelle.",
    ),
    Event(
        section="business",
        headline="Telmark's biggest grocer freezes the prices of 300 staples",
        standfirst="Bread, milk, eggs and nappies are on the list, which runs until March.",
        city="Norrow",
        country="Telmark",
        lede="Telmark's largest supermarket chain said {day} that it would freeze the prices "
        "of 300 everyday products until March, after a government inquiry into food margins",
        details=(
            "The list includes bread, milk, eggs, nappies and several kinds of tinned fish.",
            "Rival chains said they were studying the move.",
        ),
        quote=Quote(
            "Families have told us plainly that the weekly shop has become a worry. This is "
            "our answer.",
            "Birgit Allsen",
            "chief executive of the Kvarta supermarket chain",
        ),
        background="Food prices in Telmark rose by almost a fifth over the past two years, "
        "faster than wages.",
        next="The competition authority will publish the findings of its inquiry in February.",
        tags=("Telmark", "Food prices", "Retail"),
        caption="Shoppers at a supermarket in Norrow.",
    ),
    Event(
        section="business",
        headline="Halvik battery recycler raises 45 million euros for its first plant",
        standfirst="The start-up wants to recover the metals from 40,000 car batteries a year "
        "in an old paper mill.",
        city="Halvik",
        country="Varenland",
        lede="A Halvik start-up that recovers metals from used batteries raised 45 million "
        "euros {day} to build its first full-scale plant",
        details=(
            "The company, Ferrocell, says its process recovers more than 90 percent of the "
            "lithium, nickel and cobalt in a battery pack while using less energy than "
            "smelting.",
            "The plant, planned for a disused paper mill outside the city, would handle the "
            "batteries of about 40,000 cars a year.",
        ),
        quote=Quote(
            "Every battery we take apart is a mine we do not have to dig.",
            "Amara Selin",
            "co-founder of Ferrocell",
        ),
        background="Carmakers in the region face rules requiring a growing share of recycled "
        "metal in new batteries.",
        next="Construction is due to start in the spring, subject to environmental approval.",
        tags=("Varenland", "Start-ups", "Batteries"),
        caption="Used battery packs stacked in a warehouse outside Halvik.",
    ),
    Event(
        section="business",
        headline="Caldair cancels 160 flights as cabin crew strike over rosters",
        standfirst="The union says new rosters leave some staff with fewer than ten hours "
        "between shifts.",
        city="Vessa",
        country="Caldoria",
        lede="Cabin crew at Caldair, Caldoria's national airline, began a 48-hour strike {day} "
        "over working rosters, forcing the airline to cancel about 160 flights",
        details=(
            "The airline said it had rebooked most passengers on later flights or on partner "
            "airlines.",
            "The crew's union says the new rosters leave some staff with fewer than ten hours "
            "between shifts.",
        ),
        quote=Quote(
            "Nobody wants to strike before the holidays. But tired crew are a safety issue, "
            "not a matter of comfort.",
            "Dana Korvel",
            "spokeswoman for the cabin crew union",
        ),
        background="Caldair returned to profit this year after a restructuring that cut a "
        "fifth of its routes.",
        next="Talks are due to resume at the labour mediator's office on Monday.",
        tags=("Caldoria", "Aviation", "Strikes"),
        caption="Departure boards show cancelled flights at Vessa airport.",
    ),
    Event(
        section="business",
        headline="Flooding cuts output at Kelvoria's biggest copper mine by a quarter",
        standfirst="A lower shaft was under water for five weeks; the owner expects full "
        "production by January.",
        city="Drovna",
        country="Kelvoria",
        lede="Output at Kelvoria's largest copper mine fell by a quarter in the third quarter, "
        "its owner said {day}, after flooding in a lower shaft halted work for five weeks",
        details=(
            "Drovna Copper said it had pumped out the shaft and expected to return to full "
            "production by January.",
            "Shares in the company fell 6 percent in early trading.",
        ),
        quote=Quote(
            "The water is out, the pumps are new and the crews are back underground.",
            "Piotr Haskel",
            "chief executive of Drovna Copper",
        ),
        background="Copper is Kelvoria's largest export, and the mine accounts for about a "
        "tenth of the country's economic output.",
        next="The company will publish its full-year figures in March.",
        tags=("Kelvoria", "Mining", "Commodities"),
        caption="The headframe of the main shaft at the Drovna copper mine.",
        weight="minor",
    ),
    Event(
        section="business",
        headline="Sundmere Islands report their busiest tourist season",
        standfirst="Walkers and birdwatchers brought 410,000 visitors, but hotels struggled "
        "to find staff.",
        city="Port Calder",
        country="the Sundmere Islands",
        lede="The Sundmere Islands had their busiest tourist season on record, the islands' "
        "tourism board said {day}, with 410,000 visitors between May and September",
        details=(
            "Spending by visitors rose by 12 percent, led by walking holidays and "
            "birdwatching tours.",
            "Hotel owners said that staff shortages had forced some to close their "
            "restaurants on quieter days.",
        ),
        quote=Quote(
            "Visitors come for the cliffs and the quiet. Our job is to make sure there is "
            "still some quiet left when they arrive.",
            "Ewan Tormod",
            "chair of the Sundmere tourism board",
        ),
        background="Tourism has overtaken fishing as the islands' largest employer over the "
        "past decade.",
        next="The board is asking residents for their views on a small visitor levy.",
        tags=("Sundmere Islands", "Tourism"),
        caption="Walkers on the cliff path north of Port Calder.",
        weight="minor",
    ),
    # Science -------------------------------------------------------------
    Event(
        section="science",
        headline="Mountain observatory finds water vapour around a distant planet",
        standfirst="The planet is too hot for oceans, but astronomers say it is worth a "
        "longer look.",
        city="Ashkel",
        country="Telmark",
        lede="Astronomers at the Tessel Observatory said {day} that they had detected water "
        "vapour in the atmosphere of a planet orbiting a small red star about 90 light years "
        "from Earth",
        details=(
            "The planet is about twice the size of Earth and circles its star every 11 days, "
            "far too close for liquid water on its surface.",
            "The team measured starlight filtered through the planet's atmosphere over 14 "
            "nights with a new spectrograph.",
        ),
        quote=Quote(
            "Finding water vapour is not finding life. It is finding a planet worth looking "
            "at again.",
            "Livia Mendt",
            "an astronomer at the Tessel Observatory",
        ),
        background="The observatory, run jointly by Kelvoria and Telmark, opened its largest "
        "telescope two years ago.",
        next="The team has applied for more observing time next year to look for other molecules.",
        tags=("Astronomy", "Telmark"),
        caption="The domes of the Tessel Observatory at dusk.",
        weight="top",
    ),
    Event(
        section="science",
        headline="Divers find a medieval trading ship off the Sundmere Islands",
        standfirst="Clay jars in the hold still hold traces of what the crew carried.",
        city="Port Calder",
        country="the Sundmere Islands",
        lede="Divers have found the wreck of a trading ship thought to be about 700 years old "
        "in shallow water off the Sundmere Islands, archaeologists said {day}",
        details=(
            "The hull lies under sand at a depth of 12 metres, which has protected much of "
            "its timber.",
            "Clay jars recovered from the hold contain residues that will be tested for oil, "
            "wine and fish sauce.",
        ),
        quote=Quote(
            "The sand has done our work for us. We can count the nails in some of the planks.",
            "Oona Falk",
            "a marine archaeologist leading the dive team",
        ),
        background="The islands sat on a busy medieval trade route, but until now no wreck "
        "from that period had been found in their waters.",
        next="The team plans to return in the spring to record the hull in three dimensions.",
        tags=("Archaeology", "Sundmere Islands"),
        caption="A diver measures timbers on the seabed off Port Calder.",
    ),
    Event(
        section="science",
        headline="Drowned forest found on the bed of Lake Ombra",
        standfirst="Tree stumps 8,000 years old show where the shore lay before the water rose.",
        city="Sallit",
        country="Kelvoria",
        lede="Scientists mapping the bed of Lake Ombra have found the stumps of a forest that "
        "was drowned about 8,000 years ago, the University of Sallit said {day}",
        details=(
            "Sonar surveys revealed more than 200 stumps standing upright at depths of up to "
            "30 metres.",
            "Samples dated in the university's laboratory show the trees died at about the "
            "same time.",
        ),
        quote=Quote(
            "It is a snapshot of a shoreline. The trees tell us the lake rose fast enough to "
            "kill a forest in one go.",
            "Marek Ilves",
            "a geologist at the University of Sallit",
        ),
        background="The lake's level is thought to have risen when a landslide blocked its "
        "outflow at the end of the last ice age.",
        next="The researchers will publish a full map of the lake bed next year.",
        tags=("Kelvoria", "Geology"),
        caption="A survey boat on Lake Ombra.",
    ),
    Event(
        section="science",
        headline="Students put Osterra's first home-built satellite into orbit",
        standfirst="The shoebox-sized craft will photograph clouds for weather forecasters.",
        city="Estrelle",
        country="Osterra",
        lede="A weather satellite built by students and engineers at the University of "
        "Estrelle reached orbit {day}, the first satellite designed and built in Osterra",
        details=(
            "The craft, about the size of a shoebox, was carried into space as one of 40 "
            "small payloads on a commercial launch.",
            "Its cameras will photograph cloud cover over the region twice a day.",
        ),
        quote=Quote(
            "When the first signal came through, the control room went silent, and then "
            "nobody could stop talking.",
            "Clara Benedetti-Oyelaran",
            "the mission's lead engineer",
        ),
        background="About 60 students worked on the satellite over four years, most of them "
        "in their spare time.",
        next="The university will share its images with the national weather service from January.",
        tags=("Osterra", "Space", "Universities"),
        caption="Students follow the launch from a lecture hall in Estrelle.",
    ),
    Event(
        section="science",
        headline="Halvik's parks are home to 60 species of bee, survey finds",
        standfirst="Volunteers counted bees in 40 parks and found several species thought to "
        "be rare in the region.",
        city="Halvik",
        country="Varenland",
        lede="A two-year survey of Halvik's parks has recorded 60 species of wild bee, several "
        "of them thought to be rare in Varenland, researchers said {day}",
        details=(
            "About 300 volunteers counted bees in 40 parks and along the banks of the Rhenna.",
            "Parks where the grass was mown less often had almost twice as many species.",
        ),
        quote=Quote(
            "The best thing a city can do for bees costs nothing: put the mower away for a "
            "few weeks.",
            "Signe Rask",
            "an ecologist who led the survey",
        ),
        background="Halvik stopped using pesticides in its parks five years ago.",
        next="The city's parks department says it will leave a third of its lawns uncut next "
        "summer.",
        tags=("Varenland", "Halvik", "Wildlife"),
        caption="Wild flowers left uncut in a park in Halvik.",
        weight="minor",
    ),
    Event(
        section="science",
        headline="School seismometers in Kelvoria record a small earthquake",
        standfirst="A network of cheap sensors in 300 playgrounds caught the tremor within "
        "seconds.",
        city="Drovna",
        country="Kelvoria",
        lede="A network of 300 low-cost seismometers installed in Kelvoria's school "
        "playgrounds recorded a small earthquake near Drovna {day}",
        details=(
            "The tremor, of magnitude 3.2, caused no damage but was felt by residents in the "
            "east of the city.",
            "The school sensors located it within seconds, faster than the national network.",
        ),
        quote=Quote(
            "The children check the readings every morning. Today they had a real earthquake "
            "to look at.",
            "Goran Petrasch",
            "a physics teacher at a school in Drovna",
        ),
        background="The sensors, each costing less than a bicycle, were installed over three "
        "years with money from a science education fund.",
        next="The geological survey plans to add the school data to its public earthquake map.",
        tags=("Kelvoria", "Earthquakes", "Schools"),
        caption="A seismometer in its box at a school in Drovna.",
    ),
    Event(
        section="science",
        headline="Seeds from a 1,200-year-old jar sprout in a Caldoria laboratory",
        standfirst="Botanists have grown barley from grain found sealed in a storage jar.",
        city="Corvane",
        country="Caldoria",
        lede="Botanists in Caldoria said {day} that they had grown barley from seeds found in "
        "a sealed storage jar about 1,200 years old",
        details=(
            "Of 150 seeds planted, seven sprouted, and three of the plants are now about "
            "40 centimetres tall.",
            "The jar was found during building work in the old town of Corvane.",
        ),
        quote=Quote(
            "We planted them without much hope. Seven green shoots is seven more than we expected.",
            "Ada Morrow",
            "a botanist at the Corvane seed bank",
        ),
        background="Dry, sealed containers can keep seeds alive for centuries, but grain this "
        "old rarely germinates.",
        next="The team will compare the plants' genes with modern barley.",
        tags=("Caldoria", "Botany", "Archaeology"),
        caption="Young barley plants under lamps in a laboratory in Corvane.",
    ),
    # Climate -------------------------------------------------------------
    Event(
        section="climate",
        headline="Six countries agree to close their last coal power stations by 2035",
        standfirst="The pact, signed in Halvik, includes money to retrain miners in Kelvoria.",
        city="Halvik",
        country="Varenland",
        lede="Six countries agreed {day} to close their last coal-fired power stations by "
        "2035, in a pact signed at a regional energy meeting in Halvik",
        details=(
            "The agreement covers Varenland, Osterra, Kelvoria, Telmark, Caldoria and the "
            "Sundmere Islands.",
            "A shared fund of 2 billion euros will help retrain miners and rebuild the "
            "economies of coal towns, most of them in Kelvoria.",
        ),
        quote=Quote(
            "Nobody in a mining town should hear about this pact from the news. We will go "
            "to them first.",
            "Hanne Lisberg",
            "foreign minister of Telmark",
        ),
        background="Coal still produces about a quarter of the region's electricity, most of "
        "it in Kelvoria.",
        next="Each country must publish a closure timetable for its plants within a year.",
        tags=("Energy", "Coal", "Kelvoria", "Varenland"),
        caption="Delegates at the energy meeting in Halvik.",
        weight="top",
    ),
    Event(
        section="climate",
        headline="Tessel glacier lost 40 metres of ice in one summer, survey shows",
        standfirst="The main glacier above Ashkel is retreating faster than at any time since "
        "records began.",
        city="Ashkel",
        country="Telmark",
        lede="The largest glacier in the Tessel mountains retreated by 40 metres over the "
        "summer, glaciologists said {day}, the largest loss since measurements began",
        details=(
            "The survey team marks the glacier's edge with stakes each spring and autumn.",
            "The ice surface also thinned by more than two metres.",
        ),
        quote=Quote(
            "My grandfather walked onto this ice from the hut. Now the walk takes forty "
            "minutes of scrambling over rock.",
            "Kaja Lindahl-Berg",
            "a glaciologist who leads the survey",
        ),
        background="The glacier feeds the river that supplies drinking water to Ashkel and "
        "two other valleys.",
        next="The survey will return in April to measure the winter's snowfall.",
        tags=("Telmark", "Glaciers", "Water"),
        caption="The snout of the Tessel glacier above Ashkel.",
    ),
    Event(
        section="climate",
        headline="Varenland approves its largest offshore wind farm",
        standfirst="Ninety turbines off the west coast could power a third of the country's homes.",
        city="Grensby",
        country="Varenland",
        lede="Varenland's energy regulator approved {day} the country's largest offshore wind "
        "farm, 90 turbines in the sea west of Grensby",
        details=(
            "When complete, the farm is expected to produce enough electricity for about a "
            "third of the country's homes.",
            "Fishing groups won changes to the layout that leave two channels open for trawlers.",
        ),
        quote=Quote(
            "We spent a year at the same table as the fishermen. The map we ended with is "
            "better than the one we started with.",
            "Nils Harrow",
            "project director of the Westbank wind farm",
        ),
        background="Wind already supplies about a fifth of Varenland's electricity.",
        next="Construction of the foundations is due to begin in 2027.",
        tags=("Varenland", "Wind power", "Energy"),
        caption="Survey buoys off the coast near Grensby.",
    ),
    Event(
        section="climate",
        headline="Caldoria rations water in the south after the driest autumn on record",
        standfirst="Households in three provinces face night-time cuts to their supply.",
        city="Corvane",
        country="Caldoria",
        lede="Caldoria began rationing water in three southern provinces {day} after the "
        "driest autumn since records began",
        details=(
            "Households will lose their supply between midnight and six in the morning, and "
            "filling swimming pools and washing cars has been banned.",
            "Reservoirs in the south are at 22 percent of capacity.",
        ),
        quote=Quote(
            "We are asking everyone for small sacrifices now so that nobody faces a large one "
            "in the summer.",
            "Viktor Amsel",
            "Caldoria's environment minister",
        ),
        background="Rainfall in the south has been below average in four of the past five years.",
        next="The government will review the rationing at the end of January.",
        tags=("Caldoria", "Drought", "Water"),
        caption="A reservoir far below its usual level near Corvane.",
    ),
    Event(
        section="climate",
        headline="Port Calder starts building a higher sea wall",
        standfirst="The new wall will stand a metre taller than the one breached in last "
        "winter's storm.",
        city="Port Calder",
        country="the Sundmere Islands",
        lede="Work began {day} on a new sea wall in Port Calder, a metre higher than the one "
        "overtopped by a storm surge last winter",
        details=(
            "The wall will run for 1.4 kilometres along the harbour front and include "
            "flood gates that close at high tide.",
            "The project will cost about 60 million euros, most of it from the national "
            "government.",
        ),
        quote=Quote(
            "Last winter the sea came up Harbour Street and into the school. We do not intend "
            "to let it do that again.",
            "Fenna Strood",
            "leader of the Port Calder council",
        ),
        background="Sea levels around the islands have risen by about 20 centimetres over "
        "the past century.",
        next="The first section is due to be finished before next winter.",
        tags=("Sundmere Islands", "Flooding", "Sea level"),
        caption="Builders at work on the harbour front in Port Calder.",
        weight="minor",
    ),
    Event(
        section="climate",
        headline="Osterra records its warmest autumn",
        standfirst="Temperatures were almost three degrees above the long-term average.",
        city="Estrelle",
        country="Osterra",
        lede="Osterra has had its warmest autumn on record, the national weather service "
        "said {day}, with temperatures almost three degrees above the long-term average",
        details=(
            "Estrelle recorded 24 days above 20 degrees in October, more than in any October "
            "before.",
            "Farmers reported a second flowering in some orchards.",
        ),
        quote=Quote(
            "Warm autumns used to be a pleasant surprise. They are becoming the pattern.",
            "Jonas Werth",
            "a climatologist at the national weather service",
        ),
        background="Seven of Osterra's ten warmest autumns have come in the past twelve years.",
        next="The weather service expects a milder than usual winter.",
        tags=("Osterra", "Heat", "Weather"),
        caption="Orchards in flower in late October near Estrelle.",
    ),
    Event(
        section="climate",
        headline="Telmark rewets its drained peat bogs",
        standfirst="Blocking old ditches should stop the bogs releasing carbon and bring "
        "back wading birds.",
        city="Norrow",
        country="Telmark",
        lede="Telmark will block the drainage ditches of 12,000 hectares of peat bog over the "
        "next five years, its environment agency said {day}",
        details=(
            "The bogs were drained for farming and peat cutting in the last century.",
            "Dry peat releases the carbon it has stored for thousands of years, and wet peat "
            "keeps it locked in.",
        ),
        quote=Quote(
            "A wet bog is a quiet thing. It does its work without anyone noticing.",
            "Elin Varsholm",
            "a peatland ecologist at the environment agency",
        ),
        background="Farmers who give up drained land will be paid for the water they keep on it.",
        next="The first ditches will be blocked in the spring, after the birds' nesting "
        "season is mapped.",
        tags=("Telmark", "Peatland", "Wildlife"),
        caption="A drained bog north of Norrow.",
    ),
    # Culture -------------------------------------------------------------
    Event(
        section="culture",
        headline="Drovna's old library reopens after a six-year restoration",
        standfirst="Its painted ceiling, hidden under plaster for decades, is on view again.",
        city="Drovna",
        country="Kelvoria",
        lede="Drovna's central library reopened {day} after a six-year restoration that "
        "uncovered a painted ceiling hidden under plaster since the 1950s",
        details=(
            "The ceiling shows the months of the year as farmers at work, painted when the "
            "library was built.",
            "About 4,000 people visited on the first day.",
        ),
        quote=Quote(
            "People came to see the ceiling and stayed to borrow books, which is exactly "
            "what we hoped.",
            "Vera Kolbe",
            "the library's director",
        ),
        background="The library holds about half a million books and the city's archive.",
        next="Guided tours of the ceiling will run every Saturday.",
        tags=("Kelvoria", "Libraries", "Architecture"),
        caption="Visitors look up at the painted ceiling of Drovna's library.",
        weight="top",
    ),
    Event(
        section="culture",
        headline="Estrelle film festival gives its top prize to a film about lighthouse keepers",
        standfirst="'The Last Watch' was shot over a year on a rock off Osterra's coast.",
        city="Estrelle",
        country="Osterra",
        lede="'The Last Watch', a film about the final keepers of a lighthouse off Osterra's "
        "coast, won the top prize at the Estrelle film festival {day}",
        details=(
            "The director, Paula Ines Roca, filmed for a year on the rock with a crew of three.",
            "The jury praised the film's patience and the humour of its two keepers.",
        ),
        quote=Quote(
            "We went for a month and stayed for a year, because the sea would not let us leave.",
            "Paula Ines Roca",
            "director of 'The Last Watch'",
        ),
        background="The festival, now in its 30th year, shows films from across the region.",
        next="The film opens in cinemas across Osterra next month.",
        tags=("Osterra", "Film", "Festivals"),
        caption="The director on stage at the festival in Estrelle.",
    ),
    Event(
        section="culture",
        headline="Lost string quartet by a Varenland composer found in a church attic",
        standfirst="The manuscript by Agnes Thorvald had been missing for a century.",
        city="Grensby",
        country="Varenland",
        lede="A string quartet by the composer Agnes Thorvald, missing for about a century, "
        "has been found in the attic of a church in Grensby, musicologists said {day}",
        details=(
            "The handwritten score was found in a box of hymn books by volunteers clearing "
            "the attic.",
            "Thorvald's letters mention the quartet, but no copy was known to survive.",
        ),
        quote=Quote(
            "Her handwriting is unmistakable, and so is her music. You can hear the sea in "
            "the slow movement.",
            "Hugo Brandt-Lemaire",
            "a musicologist at the Halvik conservatory",
        ),
        background="Thorvald wrote more than 80 works, but fewer than half were published in "
        "her lifetime.",
        next="The quartet will be performed for the first time in Grensby in the spring.",
        tags=("Varenland", "Music", "Discoveries"),
        caption="The manuscript of the quartet in Grensby.",
    ),
    Event(
        section="culture",
        headline="Caldoria returns carved panels to a village in Kelvoria",
        standfirst="The wooden panels were taken from a village chapel during the war of "
        "the 1940s.",
        city="Vessa",
        country="Caldoria",
        lede="Caldoria's national museum returned {day} six carved wooden panels taken from a "
        "village chapel in Kelvoria during the war of the 1940s",
        details=(
            "The panels, which show scenes from the lives of local saints, had been in the "
            "museum's stores since 1952.",
            "Researchers traced them to the chapel at Lunovy using old photographs.",
        ),
        quote=Quote(
            "These panels belong to the people who pray in front of them. Our job was to "
            "find the way home.",
            "Irena Sovak",
            "director of Caldoria's national museum",
        ),
        background="The museum began reviewing the origins of its collection five years ago.",
        next="The panels will go back on the chapel walls at a ceremony in the spring.",
        tags=("Caldoria", "Kelvoria", "Museums"),
        caption="Museum staff pack a carved panel in Vessa.",
    ),
    Event(
        section="culture",
        headline="Norrow's lantern festival draws its largest crowds",
        standfirst="About 120,000 people followed the lantern boats down the river.",
        city="Norrow",
        country="Telmark",
        lede="About 120,000 people lined the river in Norrow {day} for the city's lantern "
        "festival, the largest crowd in its history",
        details=(
            "More than 900 paper lanterns, made in schools and workshops over the autumn, "
            "floated downstream on boats.",
            "The festival's organisers asked people to take the trams, and the city ran "
            "extra services until midnight.",
        ),
        quote=Quote(
            "Every lantern was made by someone's hands. That is why people cry when the "
            "boats go past.",
            "Anneke Stray",
            "the festival's artistic director",
        ),
        background="The festival began 25 years ago as a school project to mark the shortest "
        "days of the year.",
        next="Workshops for next year's lanterns open in September.",
        tags=("Telmark", "Festivals"),
        caption="Lantern boats on the river in Norrow.",
        weight="minor",
    ),
    Event(
        section="culture",
        headline="Sallit theatre stages its season in a disused tram depot",
        standfirst="While its own building is repaired, the company has moved into a "
        "hall built for trams.",
        city="Sallit",
        country="Kelvoria",
        lede="Sallit's city theatre opened its season {day} in a disused tram depot, where it "
        "will perform while its own building is repaired",
        details=(
            "The company has built a stage between the old tracks, with seats for 400 people.",
            "The opening play, a comedy about a tram conductor, sold out in two days.",
        ),
        quote=Quote(
            "The acoustics are terrible and the audience loves it. The building has its "
            "own character.",
            "Milan Oresh",
            "artistic director of the Sallit city theatre",
        ),
        background="The theatre's own building closed last year after cracks were found in "
        "its roof.",
        next="The company expects to return home in two years.",
        tags=("Kelvoria", "Theatre"),
        caption="Actors rehearse between the tracks of the old depot in Sallit.",
    ),
)
