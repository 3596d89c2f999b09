import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from dateline.newsroom.models import ArticlePage, ArticleSource
from dateline.wire.formats import parse
from dateline.wire.ingest import ingest
from dateline.wire.models import WireItem, WireUse
from tests.wire.conftest import FeedServer, fixture
from tests.wire.helpers import make_provider

pytestmark = pytest.mark.django_db

DESK = "/admin/wire/desk/"
WRITE = "/admin/wire/desk/write/"


@pytest.fixture
def wire(home):
    feeds = [
        ("Northwind Press", "NP", "rss", "northwind.rss"),
        ("Meridian News Agency", "MNA", "ninjs", "meridian.json"),
        ("Calder Press Service", "CPS", "newsml", "calder.xml"),
    ]
    for name, short, fmt, file in feeds:
        provider = make_provider(name, short_name=short, format=fmt, read_at=f"{name} wire")
        ingest(provider, parse(fixture(file), fmt))


def test_the_desk_lists_clusters_newest_first_with_items_agencies_and_times(staff, wire):
    page = staff.get(DESK).content.decode()
    ferry = page.index("Talks to end Port Calder ferry strike set for Wednesday")
    flood = page.index("Flood warning for Besk")
    quota = page.index("Velmar parliament backs smaller fishing quotas")
    # The quota vote came undated and was stamped on arrival, so it is newest.
    assert quota < flood
    assert "Meridian News Agency" in page and "Calder Press Service" in page
    assert "16 Nov, 12:00" in page
    assert page.count('data-cluster="') == 3
    # Within a cluster, the latest report first.
    assert ferry < page.index("strands Port Calder commuters")


def test_an_editor_without_wire_rights_cannot_see_the_desk(client, home):
    user = get_user_model().objects.create_user("guest", "g@example.org", password=None)
    client.force_login(user)
    # Not even the admin's own access: Wagtail sends them to its sign-in page.
    refused = client.get(DESK)
    assert (refused.status_code, refused["Location"]) == (302, f"/admin/login/?next={DESK}")


def test_editors_see_the_desk(client, wire):
    user = get_user_model().objects.create_user("ed", "ed@example.org", password=None)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    assert "Flood warning for Besk" in client.get(DESK).content.decode()


def test_write_story_creates_a_draft_with_sources_from_every_report(staff, wire, world):
    item = WireItem.objects.get(guid="urn:calderpress:2026:881")
    response = staff.post(WRITE, {"cluster": item.cluster_id, "section": world.pk})
    article = ArticlePage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{article.pk}/edit/"
    assert not article.live and article.get_parent().pk == world.pk
    assert article.title == "Talks to end Port Calder ferry strike set for Wednesday"
    assert article.dateline_place == "PORT CALDER"
    assert article.standfirst.startswith("The transport ministry agreed")
    sources = list(article.sources.order_by("sort_order"))
    assert [s.outlet for s in sources] == [
        "Calder Press Service",
        "Meridian News Agency",
        "Northwind Press",
    ]
    northwind = sources[2]
    assert northwind.read_at == "Northwind Press wire"
    assert northwind.url == "https://wire.northwind.example/stories/ferry-strike"
    assert northwind.kind == ArticleSource.Kind.REPORT
    assert str(northwind.published_on) == "2026-11-16"
    assert WireUse.objects.filter(article=article).count() == 3
    # The wire text is beside the editor, not in the body.
    assert len(article.body) == 0
    edit = staff.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "data-wire-copy" in edit and "The transport ministry agreed" in edit


def test_the_desk_shows_the_stories_written_from_a_cluster(staff, wire, world):
    item = WireItem.objects.get(guid="urn:calderpress:2026:881")
    staff.post(WRITE, {"cluster": item.cluster_id, "section": world.pk})
    page = staff.get(DESK).content.decode()
    article = ArticlePage.objects.get()
    assert f"/admin/pages/{article.pk}/edit/" in page


def test_a_killed_report_is_not_written_from(staff, wire, world):
    provider = WireItem.objects.get(guid="urn:meridian:text:2026-4471").provider
    ingest(provider, parse(fixture("meridian-kill.json"), "ninjs"))
    killed = WireItem.objects.get(guid="urn:meridian:text:2026-4471")
    staff.post(WRITE, {"cluster": killed.cluster_id, "section": world.pk})
    article = ArticlePage.objects.get()
    assert "Meridian News Agency" not in [s.outlet for s in article.sources.all()]
    response = staff.post(WRITE, {"item": killed.pk, "section": world.pk}, follow=True)
    assert "No story written" in response.content.decode()
    assert ArticlePage.objects.count() == 1


def test_a_missing_section_changes_nothing(staff, wire):
    item = WireItem.objects.first()
    response = staff.post(WRITE, {"cluster": item.cluster_id, "section": 999999}, follow=True)
    assert "Choose a section" in response.content.decode()
    assert ArticlePage.objects.count() == 0


def test_the_chosen_photo_becomes_the_lead_photo_with_caption_and_credit(
    staff, wire, world, feed_server: FeedServer, django_capture_on_commit_callbacks
):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(buffer, "JPEG")
    feed_server.files["/pictures/9912.jpg"] = (buffer.getvalue(), '"p"')
    item = WireItem.objects.get(guid="urn:meridian:text:2026-4471")
    item.images[0]["href"] = feed_server.url("/pictures/9912.jpg")
    item.save()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            WRITE, {"cluster": item.cluster_id, "section": world.pk, "photo": f"{item.pk}:0"}
        )
    article = ArticlePage.objects.get()
    draft = article.get_latest_revision_as_object()
    assert draft.lead_image is not None
    assert draft.lead_image.caption == "Ferries stay moored in Port Calder during the strike."
    assert draft.lead_image.credit == "Meridian / Lin Tamsa"
    assert draft.lead_image.description
    photo_sources = article.sources.filter(kind=ArticleSource.Kind.PHOTO)
    assert [s.outlet for s in photo_sources] == ["Meridian News Agency"]


def test_a_failing_provider_shows_on_the_desk_and_in_the_provider_list(staff, home):
    make_provider("Broken Wire", url="http://127.0.0.1:9/x", failures=4, last_error="HTTP 503")
    assert "Broken Wire" in staff.get(DESK).content.decode()
    listing = staff.get("/admin/wire/providers/").content.decode()
    assert "failing (4 in a row)" in listing


def test_the_article_editor_warns_of_a_wire_update(staff, wire, world):
    item = WireItem.objects.get(guid="urn:calderpress:2026:881")
    staff.post(WRITE, {"item": item.pk, "section": world.pk})
    article = ArticlePage.objects.get()
    newer = fixture("calder.xml").replace(b'version="3"', b'version="4"')
    ingest(item.provider, parse(newer, "newsml"))
    page = staff.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "updated" in page and "after this story used it" in page


URGENT_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Wire</title>
<item><guid>urn:harbour:1</guid><title>URGENT: Besk lifts flood warning as Lake Orvin falls</title>
<link>https://wire.harbour.example/besk-1</link><pubDate>Tue, 17 Nov 2026 06:00:00 GMT</pubDate>
<description>BESK, Velmar &#8212; The town of Besk lifted its flood warning on Tuesday.
</description>
</item>
<item><guid>urn:harbour:2</guid><title>UPDATE 2-Besk reopens lakeside school</title>
<link>https://wire.harbour.example/besk-2</link><pubDate>Tue, 17 Nov 2026 07:00:00 GMT</pubDate>
<description>The school by the lake opened again on Tuesday.</description>
</item>
</channel></rss>"""


def write_from(staff, world, guid):
    provider = make_provider("Harbour Wire", short_name="HW", format="rss")
    ingest(provider, parse(URGENT_FEED, "rss"))
    staff.post(WRITE, {"item": WireItem.objects.get(guid=guid).pk, "section": world.pk})
    return ArticlePage.objects.get()


def test_write_story_drops_the_agencys_status_prefix(staff, home, world):
    article = write_from(staff, world, "urn:harbour:1")
    assert article.title == "Besk lifts flood warning as Lake Orvin falls"
    assert article.slug == "besk-lifts-flood-warning-as-lake-orvin-falls"
    assert article.standfirst == "The town of Besk lifted its flood warning on Tuesday."


def test_write_story_drops_a_numbered_update_prefix(staff, home, world):
    article = write_from(staff, world, "urn:harbour:2")
    assert article.title == "Besk reopens lakeside school"
    assert article.slug == "besk-reopens-lakeside-school"


def test_write_story_takes_the_dateline_from_the_reports_text(staff, home, world):
    article = write_from(staff, world, "urn:harbour:1")
    assert article.dateline_place == "BESK"


def test_write_story_credits_the_agency_as_author(staff, home, world):
    article = write_from(staff, world, "urn:harbour:1")
    assert [(a.name, a.kind) for a in article.authors] == [("Harbour Wire", "organisation")]
    # The draft can be published as it is: the editor is not stopped for an author.
    revision = article.get_latest_revision().as_object()
    assert [link.author.name for link in revision.article_authors.all()] == ["Harbour Wire"]


def test_a_cluster_story_takes_the_dateline_a_report_carries(staff, wire, world):
    # The lead report (Calder Press) has it in its text, Meridian's in its own field.
    item = WireItem.objects.get(guid="urn:calderpress:2026:881")
    staff.post(WRITE, {"cluster": item.cluster_id, "section": world.pk})
    article = ArticlePage.objects.get()
    assert article.dateline_place == "PORT CALDER"
    assert [a.name for a in article.authors] == ["Calder Press Service"]


def test_the_desk_is_headed_wire_desk(staff, wire):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(staff.get(DESK).content, "html.parser")
    assert page.select("[data-w-breadcrumbs] li")[-1].get_text(strip=True) == "Wire desk"
