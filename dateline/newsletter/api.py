"""A JSON endpoint for the signup form, so that other sites can embed it.

``GET /newsletter/api/form`` describes the form::

    {"stamp": "1767225600:…", "consent_text": "Send me the newsletter …",
     "consent_version": 1,
     "cadences": [{"value": "weekly", "label": "Once a week"}, …],
     "sections": [{"id": 4, "title": "World News"}, …],
     "newsletters": [{"id": 1, "slug": "digest", "name": "The digest",
                      "description": "…", "cadence": "…", "preselected": true}, …]}

List the newsletters as checkboxes, the preselected ones ticked; cadence and
sections are the digest's.

Show the consent text next to the form, word for word. Fetch the form when the
page loads, not when the reader submits: a stamp younger than
NEWSLETTER_MIN_FORM_SECONDS, or older than NEWSLETTER_MAX_FORM_AGE, marks a bot,
and a bot's signup is dropped without a word. Only this endpoint's stamps (and
the other never-cached ones, formstamp.make_live_stamp) count: a stamp copied
from one of our cached pages is dropped the same way.

``POST /newsletter/api/subscribe`` takes JSON (``Content-Type: application/json``)
or form data with the same fields::

    {"email": "reader@example.org", "cadence": "weekly", "sections": [4],
     "newsletters": [1, 2], "stamp": "<from the form>", "website": ""}

``newsletters`` are the ids the reader ticked, at least one; in JSON it may be
left out for the preselected ones (what forms made before there were several
newsletters send). One confirmation mail covers all of them.
``website`` is the honeypot and must stay empty; ``sections`` may be left out
for every section; ``source`` optionally names the page the form was on. The
answers are those of the newsletter page asked for JSON:

* 200 ``{"ok": true, "message": "…"}``, the same for every address, whether
  it is new, subscribed already, or refused;
* 400 ``{"ok": false, "errors": {"email": ["…"]}}`` for a field's error, or
  ``{"ok": false, "message": "…"}`` for a body that is not a JSON object;
* 429 ``{"ok": false, "message": "…"}`` once a network has sent too many.

Browsers may call both from the origins in NEWSLETTER_CORS_ORIGINS (e.g.
``https://partner.example``); other origins get no CORS headers, so browsers
keep the answer from their scripts. django-cors-headers does that and answers
the preflights (CORS_* in settings.py). No cookies are involved, and no answer
is cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from dateline.lib.formstamp import make_live_stamp
from dateline.newsletter import subscriptions
from dateline.newsletter.forms import section_choices
from dateline.newsletter.models import Cadence, ConsentText
from dateline.newsletter.views import handle_signup

View = Callable[[HttpRequest], HttpResponse]

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def api_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    """The allowed methods and no-store around one endpoint (CORS is the middleware's)."""

    def decorate(view: View) -> View:
        def wrapped(request: HttpRequest) -> HttpResponse:
            if request.method == "OPTIONS":
                response: HttpResponse = HttpResponse(status=204)
            elif request.method in methods:
                response = view(request)
            else:
                response = HttpResponseNotAllowed([*methods, "OPTIONS"])
            # A stamp or a signup answer must never be served from a cache.
            response["Cache-Control"] = "no-store"
            return response

        # Anonymous, cookie-free calls from other sites: CSRF does not apply; the
        # signup checks (stamp, honeypot, per-IP and per-address limits) do.
        return csrf_exempt(wrapped)

    return decorate


OPENAPI = Path(__file__).with_name("openapi.json")


@api_view(("GET", "HEAD"))
def openapi(request: HttpRequest) -> HttpResponse:
    """This API described in OpenAPI 3 (schemathesis tests the views against it)."""
    return HttpResponse(OPENAPI.read_bytes(), content_type="application/json")


@api_view(("GET", "HEAD"))
def form(request: HttpRequest) -> HttpResponse:
    consent = ConsentText.current()
    return JsonResponse(
        {
            "stamp": make_live_stamp(),
            "consent_text": consent.text,
            "consent_version": consent.version,
            "cadences": [{"value": value, "label": label} for value, label in Cadence.choices],
            "sections": [{"id": pk, "title": title} for pk, title in section_choices()],
            "newsletters": [
                {
                    "id": n.pk,
                    "slug": n.slug,
                    "name": n.name,
                    "description": n.description,
                    "cadence": n.cadence,
                    "preselected": n.preselected,
                }
                for n in subscriptions.choosable()
            ],
        }
    )


TEXT_FIELDS = ("email", "cadence", "stamp", "website", "source")
# A bot's null stamp or honeypot is refused quietly, like any bad stamp: not a 400.
MAY_BE_NULL = ("stamp", "website")


def json_type_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """Fields of the wrong JSON type (openapi.json's Signup), before any other check."""
    errors = {
        name: ["Must be text."]
        for name in TEXT_FIELDS
        if name in data
        and not isinstance(data[name], str)
        and not (data[name] is None and name in MAY_BE_NULL)
    }
    for name, example in (
        ("sections", "section ids, e.g. [4, 7]"),
        ("newsletters", "newsletter ids, e.g. [1, 2]"),
    ):
        ids = data.get(name, [])
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            errors[name] = [f"Must be a list of {example}."]
    return errors


def problem(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


@api_view(("POST",))
def subscribe(request: HttpRequest) -> HttpResponse:
    data: Any
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            return problem(f"The request body is not valid JSON: {error}")
        if not isinstance(data, dict):
            return problem('The request body must be a JSON object, e.g. {"email": "…"}.')
        if errors := json_type_errors(data):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        if "newsletters" not in data:
            data["newsletters"] = [n.pk for n in subscriptions.choosable() if n.preselected]
    elif request.content_type in FORM_CONTENT_TYPES:
        data = request.POST
    else:
        return problem(
            "Send the fields as JSON (Content-Type: application/json) or as form data.",
            status=415,
        )
    answer = handle_signup(request, data, default_source="newsletter API", second_step=False)
    return JsonResponse(answer.payload, status=answer.status)
