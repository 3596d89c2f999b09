"""The smaller comment views: report, reply page, preview, mine, edit, delete, feed, spam check."""

from __future__ import annotations

import datetime
import http.server
import re
import threading
import time

import pytest
from defusedxml import ElementTree
from django.utils import timezone
from lxml import html as lxml_html

from dateline.comments.models import Comment, CommentReport
from tests.comments.helpers import approved, form

pytestmark = pytest.mark.django_db


def page_stamp(html: str) -> str:
    return re.search(r'<input type="hidden" name="stamp" value="([^"]+)"', html).group(1)


def test_report_shows_a_button_and_the_post_files_one_report_per_network(client, article):
    comment = approved(article, body="Questionable claim.")
    page = client.get(f"/comments/{comment.pk}/report/").content.decode()
    assert "Report this comment" in page
    assert CommentReport.objects.count() == 0
    stamp = page_stamp(page)
    done = client.post(f"/comments/{comment.pk}/report/", {"reason": "made up", "stamp": stamp})
    assert "A moderator will look" in done.content.decode()
    client.post(f"/comments/{comment.pk}/report/", {"reason": "again", "stamp": stamp})
    comment.refresh_from_db()
    assert comment.report_count == 1
    assert CommentReport.objects.get().reason == "made up"


def test_each_comment_has_a_report_button_of_the_threads_one_form(client, article):
    comment = approved(article, body="Questionable claim.")
    tree = lxml_html.fromstring(client.get(article.url).content)
    [button] = tree.xpath(f'//li[@id="comment-{comment.pk}"]//button[@form="comment-report"]')
    assert button.text_content() == "Report" and button.get("type") == "submit"
    assert button.get("formaction") == f"/comments/{comment.pk}/report/"
    [report_form] = tree.xpath('//form[@id="comment-report"]')
    assert report_form.get("method") == "post"
    # No link to follow: crawlers and prefetchers cannot report anything.
    assert not tree.xpath('//a[contains(@href, "/report/")]')
    # The button's POST, as a browser without JavaScript sends it from the article page.
    stamp = report_form.xpath('.//input[@name="stamp"]')[0].get("value")
    origin = "http://testserver"
    answer = client.post(button.get("formaction"), {"stamp": stamp}, HTTP_ORIGIN=origin)
    assert answer.status_code == 200 and "A moderator will look" in answer.content.decode()
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_the_script_gets_a_json_answer(client, article):
    comment = approved(article)
    stamp = page_stamp(client.get(article.url).content.decode())
    answer = client.post(
        f"/comments/{comment.pk}/report/", {"stamp": stamp}, HTTP_ACCEPT="application/json"
    )
    assert answer.json() == {
        "ok": True,
        "message": "Thank you. A moderator will look at the comment.",
    }
    assert CommentReport.objects.filter(comment=comment).count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
)
def test_a_report_sent_from_another_site_is_refused(client, article, headers):
    comment = approved(article)
    stamp = page_stamp(client.get(article.url).content.decode())
    answer = client.post(f"/comments/{comment.pk}/report/", {"stamp": stamp}, **headers)
    assert answer.status_code == 403
    assert CommentReport.objects.count() == 0
    assert Comment.objects.get(pk=comment.pk).report_count == 0


@pytest.mark.parametrize("stamp", [None, "", "1700000000:forged", "old"])
def test_a_report_without_a_good_stamp_is_refused(client, article, stamp, settings):
    from dateline.lib.formstamp import make_stamp

    comment = approved(article)
    if stamp == "old":
        stamp = make_stamp(time.time() - settings.COMMENTS_MAX_FORM_AGE - 60)
    data = {} if stamp is None else {"stamp": stamp}
    answer = client.post(f"/comments/{comment.pk}/report/", data)
    assert answer.status_code == 403
    assert "Reload the page" in answer.content.decode()
    assert CommentReport.objects.count() == 0


def test_only_published_comments_can_be_reported_or_replied_to(client, article):
    held = approved(article, status=Comment.Status.HELD)
    assert client.get(f"/comments/{held.pk}/report/").status_code == 404
    assert client.get(f"/comments/{held.pk}/reply/").status_code == 404
    assert client.get("/comments/999999/reply/").status_code == 404


def test_the_reply_page_carries_the_parent(client, article):
    parent = approved(article, "Tomas Brenn", body="Original point.")
    html = client.get(f"/comments/{parent.pk}/reply/").content.decode()
    assert "Reply to Tomas Brenn" in html
    assert f'name="parent" value="{parent.pk}"' in html
    assert "Original point." in html


def test_preview_renders_and_sanitises(client):
    response = client.post("/comments/preview/", {"body": "*hi* <script>x</script>"})
    assert response.json() == {
        "ok": True,
        "html": "<p><em>hi</em> &lt;script&gt;x&lt;/script&gt;</p>",
    }
    assert client.post("/comments/preview/", {"body": ""}).status_code == 400


def test_mine_lists_only_the_readers_own_recent_comments(client, article):
    response = client.post("/comments/post/", form(article))
    comment = Comment.objects.get()
    data = client.get(f"/comments/mine/{article.pk}/").json()
    assert [c["id"] for c in data["comments"]] == [comment.pk]
    assert data["comments"][0]["status"] == "held"
    assert "no-store" in client.get(f"/comments/mine/{article.pk}/")["Cache-Control"]
    client.cookies.clear()
    assert client.get(f"/comments/mine/{article.pk}/").json() == {"comments": []}
    assert response.cookies["dateline_comments"]["httponly"]


def test_edit_rechecks_the_text_and_stores_nothing_bad(client, article, settings):
    settings.COMMENTS_MODERATION = "none"
    client.post("/comments/post/", form(article))
    comment = Comment.objects.get()
    response = client.post(f"/comments/{comment.pk}/edit/", {"body": "x" * 6000})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body.startswith("The ferry") and comment.edited_at is None
    settings.COMMENTS_BANNED_WORDS = ["casino"]
    client.post(f"/comments/{comment.pk}/edit/", {"body": "Now about the casino."})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD and "casino" in comment.hold_reason


def test_edit_window_closes(client, article, settings):
    client.post("/comments/post/", form(article))
    comment = Comment.objects.get()
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 200
    Comment.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=16))
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 404
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 404
    assert Comment.objects.get().status == Comment.Status.HELD


def test_the_atom_feed_lists_published_comments(client, article):
    approved(article, "Tomas Brenn", body="Feed me *this*.")
    approved(article, "Held One", status=Comment.Status.HELD)
    response = client.get(f"/comments/{article.pk}/atom.xml")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert [e.find("a:author/a:name", ns).text for e in entries] == ["Tomas Brenn"]
    assert entries[0].find("a:summary", ns).text == "<p>Feed me <em>this</em>.</p>"
    assert client.get("/comments/999999/atom.xml").status_code == 404


class SpamService(http.server.BaseHTTPRequestHandler):
    """A stand-in for the remote Akismet-compatible service (the edge of the world)."""

    verdict = b"false"
    seen: list[bytes] = []

    def do_POST(self) -> None:
        SpamService.seen.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(SpamService.verdict)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def spam_service(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), SpamService)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.COMMENTS_SPAM_CHECK_URL = f"http://127.0.0.1:{server.server_port}/1.1/comment-check"
    SpamService.seen = []
    yield SpamService
    server.shutdown()


def test_the_spam_check_moves_spam_out_of_the_thread(
    client, article, settings, spam_service, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    spam_service.verdict = b"true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/comments/post/", form(article, body="Cheap watches here."))
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert b"comment_content=Cheap+watches+here." in spam_service.seen[0]
    assert "Cheap watches" not in client.get(article.url).content.decode()


def test_a_spam_service_that_is_down_leaves_the_comment_alone(
    client, article, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "none"
    settings.COMMENTS_SPAM_CHECK_URL = "http://127.0.0.1:9/1.1/comment-check"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/comments/post/", form(article))
    assert response.status_code == 303
    assert Comment.objects.get().status == Comment.Status.APPROVED
