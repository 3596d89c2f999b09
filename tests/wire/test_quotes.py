import pytest
from django.contrib.auth import get_user_model

from dateline.newsroom.models import ArticlePage
from dateline.wire.formats import parse
from dateline.wire.ingest import ingest
from dateline.wire.models import QuoteCheck, QuoteCheckPolicy, WireItem, WireUse
from dateline.wire.quotes import check_quote, check_quotes, quotes_in_text
from tests.factories import make_article
from tests.wire.conftest import fixture
from tests.wire.helpers import make_provider

SOURCE = [
    (
        "meridian",
        'Commuters crowded the Port Calder quay on Monday. "We will not sail until the '
        'ministry answers our letter," union leader Tomas Reyk said. "Our members have '
        'waited since June," he added.',
    )
]


def test_a_quote_in_the_source_is_found():
    verdict = check_quote("We will not sail until the ministry answers our letter.", SOURCE)
    assert verdict.verdict == "found" and verdict.source_key == "meridian"


def test_a_reworded_quote_is_paraphrased_with_the_closest_passage():
    verdict = check_quote("We won't sail until the ministry replies to our letter", SOURCE)
    assert verdict.verdict == "paraphrased"
    assert "ministry answers our letter" in verdict.passage


def test_a_quote_nobody_said_is_missing():
    verdict = check_quote("The harbour will close for good next year", SOURCE)
    assert verdict.verdict == "missing"
    assert verdict.score < 75


def test_a_quote_split_around_he_said_is_joined_and_found():
    text = "“We will not sail,” he said, “until the ministry answers our letter.”"
    (quote,) = quotes_in_text(text)
    assert quote == "We will not sail until the ministry answers our letter."
    assert check_quotes([quote], SOURCE)[0].verdict == "found"


def test_straight_and_curly_quotes_and_named_speech_tags():
    text = (
        '"We will not sail," Tomas Reyk told reporters, "until the ministry answers our '
        'letter." Later the port was quiet. "Our members have waited since June," he added.'
    )
    assert quotes_in_text(text) == [
        "We will not sail until the ministry answers our letter.",
        "Our members have waited since June,",
    ]


def test_two_quotes_apart_are_two_quotes():
    text = "“The quay is empty tonight,” she said. The mayor disagreed: “It will fill by noon.”"
    assert quotes_in_text(text) == ["The quay is empty tonight,", "It will fill by noon."]


@pytest.mark.django_db
class TestOnSave:
    @pytest.fixture
    def story(self, world):
        provider = make_provider("Meridian News Agency", format="ninjs")
        ingest(provider, parse(fixture("meridian.json"), "ninjs"))
        item = WireItem.objects.get(guid="urn:meridian:text:2026-4471")
        article = make_article(world, "Ferry strike", publish=False)
        WireUse.objects.create(article=article, item=item)
        return article

    @pytest.fixture
    def staff(self, client):
        boss = get_user_model().objects.create_superuser("boss", "b@example.org", password=None)
        client.force_login(boss)
        return client

    def post(self, client, article, paragraph, action=None):
        from wagtail.test.utils.form_data import (
            inline_formset,
            nested_form_data,
            rich_text,
            streamfield,
        )

        data = nested_form_data(
            {
                "title": article.title,
                "slug": article.slug,
                "standfirst": "Ferries stay in port.",
                "article_authors": inline_formset(
                    [{"author": article.authors[0].pk}] if article.authors else []
                ),
                "dateline_place": "",
                "priority": 2,
                "lead_image": "",
                "body": streamfield([("paragraph", rich_text(f"<p>{paragraph}</p>"))]),
                "sources": inline_formset([]),
                "corrections": inline_formset([]),
                "tags": "",
                "comments_open": "on",
            }
        )
        if action:
            data[action] = "1"
        return client.post(f"/admin/pages/{article.pk}/edit/", data, follow=True)

    def test_saving_records_found_and_missing_quotes_and_lists_the_missing(self, staff, story):
        page = self.post(
            staff,
            story,
            "“We will not sail,” he said, “until the ministry answers our letter.” "
            "He added: “The harbour will close for good next year.”",
        ).content.decode()
        verdicts = dict(QuoteCheck.objects.values_list("verdict", "quote"))
        assert verdicts["found"].startswith("We will not sail until")
        assert verdicts["missing"].startswith("The harbour will close")
        assert "not found in the cited wire sources" in page
        assert QuoteCheck.objects.get(verdict="found").item.provider.name == "Meridian News Agency"

    def test_a_blocking_section_refuses_to_publish_a_missing_quote(self, staff, story, world):
        QuoteCheckPolicy.objects.create(section=world, blocking=True)
        page = self.post(
            staff, story, "“The harbour will close for good next year.”", "action-publish"
        ).content.decode()
        assert "publishes only quotes found in the cited wire sources" in page
        assert not ArticlePage.objects.get(pk=story.pk).live

    def test_a_blocking_section_publishes_a_found_quote(self, staff, story, world):
        QuoteCheckPolicy.objects.create(section=world, blocking=True)
        self.post(
            staff,
            story,
            "“Our members have waited since June,” the union leader said.",
            "action-publish",
        )
        assert ArticlePage.objects.get(pk=story.pk).live

    def test_a_story_citing_no_wire_report_gets_no_quote_warning(self, staff, world):
        article = make_article(world, "Harbour cranes return", publish=False)
        page = self.post(
            staff, article, "“We are glad to be back at work,” the crane driver said."
        ).content.decode()
        assert "cited wire sources" not in page
        assert not QuoteCheck.objects.exists()

    def test_a_blocking_section_publishes_a_story_citing_no_wire_report(self, staff, world):
        QuoteCheckPolicy.objects.create(section=world, blocking=True)
        article = make_article(world, "Harbour cranes return", publish=False)
        self.post(
            staff,
            article,
            "“We are glad to be back at work,” the crane driver said.",
            "action-publish",
        )
        assert ArticlePage.objects.get(pk=article.pk).live

    def test_the_panel_names_the_sources_it_did_not_check(self, staff, story):
        from dateline.newsroom.models import ArticleSource

        # The fixture's article cites the Associated Press report and the wire item.
        assert ArticleSource.objects.filter(page=story).count() == 1
        page = staff.get(f"/admin/pages/{story.pk}/edit/").content.decode()
        assert "Not checked, as they are not wire reports:" in page
        assert "the Associated Press at Times Union" in page
        assert "this story cites no wire report" not in page

    def test_the_panel_says_quotes_are_not_checked_without_wire_reports(self, staff, world):
        article = make_article(world, "Harbour cranes return", publish=False)
        page = staff.get(f"/admin/pages/{article.pk}/edit/").content.decode()
        assert "Quotes are not checked: this story cites no wire report" in page
