"""Agencies' conventions the desk reads past: status words, spellings, datelines."""

from __future__ import annotations

import datetime

import pytest

from dateline.wire.clustering import Clusterer
from dateline.wire.textfeatures import entities, fold, title_case, words
from dateline.wire.wirecopy import dateline_place, lead_place, without_status

T0 = datetime.datetime(2026, 11, 25, 7, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("headline", "expected"),
    [
        ("URGENT-Storm Hedda hits the coast", "Storm Hedda hits the coast"),
        ("FLASH: STORM: Red wind warning", "STORM: Red wind warning"),
        ("UPDATE 1-Storm Hedda kills one", "Storm Hedda kills one"),
        ("Updated: Chemical blaze in the port", "Chemical blaze in the port"),
        ("Correction: Deal signed for pipeline", "Deal signed for pipeline"),
        ("REFILE-Budget passes", "Budget passes"),
        ("Update on the talks expected today", "Update on the talks expected today"),
        ("URGENT", "URGENT"),
    ],
)
def test_status_words_leave_the_headline(headline: str, expected: str) -> None:
    assert without_status(headline) == expected


def test_spellings_with_and_without_diacritics_and_transliterated_meet() -> None:
    assert fold("Skärvik") == fold("Skarvik") == fold("Skaervik")
    assert fold("Ångström") == fold("Angstrom") == fold("Aangstroem")
    assert words("Łukasz Brzęczek") == words("Lukasz Brzeczek")
    assert entities("Minister Zoë Ångström-Nakamura said.") & entities(
        "Minister Zoe Aangstroem-Nakamura said."
    )


def test_a_title_case_headline_names_nobody() -> None:
    assert title_case("Storm Hedda Slams Into Skärvik: One Dead, Harbour Wrecked")
    assert not title_case("Storm Hedda kills one and leaves 82,000 homes without power")
    doc = Clusterer().document("a", "Norrvik and Tamsland Seal Fishing Quotas: Cod Cut", "", T0)
    assert "cod cut" not in doc.names


@pytest.mark.parametrize(
    ("dateline", "body", "place"),
    [
        ("EDDINGTON", "EDDINGTON, 23 November (GZT) — Text", "EDDINGTON"),
        ("Eddington, Tamsland", "Harriet Okafor-Lynch's party won", "Eddington"),
        ("", "Eddington — Party workers", "Eddington"),
        ("", "SKÄRVIK, Nov 25 (Nordwire) - Storm Hedda", "SKÄRVIK"),
        ("", "(TAV) Kisumbe, 23 Nov. The army", "Kisumbe"),
        ("", "PORT CALDER, Velmar — The port", "PORT CALDER"),
        ("", "Harriet Okafor-Lynch's party won", ""),
        ("", "Police in Brzesk said", ""),
    ],
)
def test_the_dateline_place_is_read_where_agencies_put_it(dateline, body, place) -> None:
    assert dateline_place(dateline, body) == place


def test_without_a_dateline_the_lead_says_where() -> None:
    assert lead_place("Freighter stuck on rocks near Fennick", "") == "Fennick"
    assert lead_place("Grain ship in trouble", "A freighter struck rocks off Quenby.") == "Quenby"


def test_alike_reports_from_two_towns_stay_apart_and_one_town_joins() -> None:
    clusterer = Clusterer()
    body = "A fire destroyed a furniture warehouse on the ring road overnight, firefighters said."
    first = clusterer.document("a", "Warehouse fire", "BRANDT — " + body, T0)
    same = clusterer.document("b", "Warehouse fire", "BRANDT — " + body, T0)
    other = clusterer.document("c", "Warehouse fire", "OSTMERE — " + body, T0)
    cluster_a = clusterer.add(first).cluster
    cluster = next(iter(clusterer.clusters.values()))
    # The same text from another town scores less than from the same town.
    assert clusterer.score(other, cluster) < clusterer.score(same, cluster)
    assert clusterer.add(same).cluster == cluster_a
