"""Reader pages work under their real Content-Security-Policy, and it blocks injected script."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tests.browser.conftest import Newsroom

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def violations(page: Page) -> list[str]:
    return page.evaluate("() => window.__cspViolations")


def test_reader_pages_break_no_rule_of_their_policy(
    new_page: Callable[..., Page], newsroom: Newsroom
) -> None:
    page = new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    story = newsroom.top_stories[0]
    for path in ("/", story.url, "/newsletter/", "/search/?q=ferry"):
        response = page.goto(path)
        assert response is not None and response.ok
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert violations(page) == [], f"{path} broke its own policy"


def test_the_policy_stops_an_injected_inline_script(
    new_page: Callable[..., Page], newsroom: Newsroom
) -> None:
    page = new_page()
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(newsroom.top_stories[0].url)
    ran = page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.append(script);
            return window.__injected === true;
        }"""
    )
    assert ran is False
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert any(v.startswith("script-src") for v in violations(page))
