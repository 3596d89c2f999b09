import datetime

from dateline.wire.clustering import Clusterer, entities

T0 = datetime.datetime(2026, 11, 16, 8, tzinfo=datetime.UTC)


def test_names_are_runs_of_capitals_and_surnames_count_alone():
    found = entities("Union leader Tomas Reyk spoke in Port Calder. Reyk said talks would begin.")
    assert {"tomas reyk", "reyk", "port calder"} <= found


def test_a_capitalised_word_opening_a_sentence_is_not_a_name_unless_seen_elsewhere():
    assert "residents" not in entities("Residents left their homes. Water rose in Besk.")
    assert "besk" in entities("Besk is flooded. The water reached Besk on Monday.")


def test_reports_of_one_event_cluster_and_a_different_event_does_not():
    clusterer = Clusterer()
    a = clusterer.document(
        "a",
        "Ferry crews strike in Port Calder",
        "Ferry crews in Port Calder stopped work, said union leader Tomas Reyk.",
        T0,
    )
    b = clusterer.document(
        "b",
        "Port Calder ferries halted by strike",
        "No ferries left Port Calder as crews struck, Tomas Reyk of the union said.",
        T0 + datetime.timedelta(hours=2),
    )
    c = clusterer.document(
        "c",
        "Lake Orvin floods streets of Besk",
        "Water from Lake Orvin reached the first streets of Besk, mayor Sela Dorn said.",
        T0 + datetime.timedelta(hours=3),
    )
    first, second, third = clusterer.add_all([a, b, c])
    assert first.cluster == second.cluster != third.cluster


def test_the_same_report_twice_is_a_duplicate():
    clusterer = Clusterer()
    text = "Ferry crews in Port Calder stopped work on Monday over unpaid night shifts."
    first = clusterer.add(clusterer.document("a", "Ferry strike", text, T0))
    again = clusterer.add(clusterer.document("b", "Ferry strike", text, T0))
    assert again.duplicate_of == "a" and again.cluster == first.cluster


def test_the_same_town_a_week_later_is_another_story():
    clusterer = Clusterer()
    text = "Ferry crews in Port Calder stopped work, union leader Tomas Reyk said."
    first = clusterer.add(clusterer.document("a", "Port Calder ferry strike", text, T0))
    later = clusterer.add(
        clusterer.document(
            "b",
            "Port Calder ferry strike called again",
            "Ferry crews in Port Calder stopped work again, Tomas Reyk said.",
            T0 + datetime.timedelta(days=7),
        )
    )
    assert later.cluster != first.cluster
