"""Reader-facing newsletter pages: sign up, confirm, preferences, unsubscribe."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from dateline.lib import formstamp, ratelimit
from dateline.lib.http import client_ip, csrf_refusal, is_one_click, wants_json
from dateline.newsletter import signup, subscriptions
from dateline.newsletter.forms import NewLinkForm, PreferencesForm, SignupForm
from dateline.newsletter.models import ConsentText, Newsletter, Subscriber
from dateline.newsletter.tokens import subscriber_for_token

CHECK_INBOX = (
    "Almost done. We never mail an address until its owner says yes, so look in your "
    "inbox for a message from us and click the link in it to confirm your address."
)


def signup_context(form: SignupForm | None = None) -> dict[str, Any]:
    """For pages that are never cached: their stamp is the time the reader loaded them."""
    return {
        "form": form or SignupForm(),
        "consent_text": ConsentText.current(),
        "stamp": formstamp.make_live_stamp(),
    }


TOO_MANY = "Too many sign-ups from your network in the last hour. Please try again later."
ONE_MORE_STEP = "One more step: check your choices and press Subscribe again to finish."


@dataclass
class SignupAnswer:
    """What a signup POST comes to, for the page and the JSON API alike."""

    status: int  # 200, 400 (field errors) or 429 (the per-IP limit)
    payload: dict[str, Any]  # the JSON answer
    form: SignupForm
    # A form from a cached page, posted without the live stamp newsletter.js fetches:
    # the reader is asked to press Subscribe once more (see handle_signup).
    again: bool = False


def handle_signup(
    request: HttpRequest, data: Mapping[str, Any], default_source: str, second_step: bool = True
) -> SignupAnswer:
    """Every check a signup goes through, wherever it was posted from.

    ``data`` holds the form's fields: request.POST, or a dict decoded from JSON.

    The time trap needs the time the reader loaded the form. A form posted with the
    page stamp of a cached page (no JavaScript, or its stamp fetch failed) cannot
    show it, so with ``second_step`` the reader is shown the form again with a live
    stamp and asked to press Subscribe once more; a bot gets the same answer.
    Without it (the API, whose form only hands out live stamps) such a post is
    dropped like any bad stamp.
    """
    started = time.monotonic()
    form = SignupForm(data)
    if not ratelimit.allow(
        "newsletter-ip", client_ip(request) or "?", settings.NEWSLETTER_SIGNUPS_PER_IP, 3600
    ):
        return SignupAnswer(429, {"ok": False, "message": TOO_MANY}, form)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return SignupAnswer(400, {"ok": False, "errors": errors}, form)

    cleaned = form.cleaned_data
    verdict = formstamp.check_stamp(
        cleaned["stamp"], settings.NEWSLETTER_MIN_FORM_SECONDS, settings.NEWSLETTER_MAX_FORM_AGE
    )
    if verdict == formstamp.UNPROVEN and second_step:
        payload = {
            "ok": False,
            "again": True,
            "message": ONE_MORE_STEP,
            "stamp": formstamp.make_live_stamp(),
        }
        return SignupAnswer(200, payload, form, again=True)
    looks_human = not cleaned["website"] and verdict == formstamp.OK
    # A bot is answered exactly like a person, so it learns nothing to adapt to.
    if looks_human:
        source = cleaned["source"] or request.headers.get("Referer", "") or default_source
        signup.sign_up(
            signup.SignupRequest(
                email=cleaned["email"],
                cadence=cleaned["cadence"],
                section_ids=cleaned["sections"],
                newsletter_ids=cleaned["newsletters"],
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
                source=source,
            )
        )
    _answer_no_sooner_than(started, settings.NEWSLETTER_ANSWER_MIN_MS / 1000)
    return SignupAnswer(200, {"ok": True, "message": CHECK_INBOX}, form)


def _answer_no_sooner_than(started: float, seconds: float) -> None:
    """Pad the answer to a floor: a new address takes the quickest path through
    sign_up, a subscribed or suppressed one a longer one, a bot none at all, and
    the time of the answer must not say which."""
    remaining = started + seconds - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


@csrf_exempt  # anonymous and cached with the article; defended by the checks in handle_signup
def subscribe(request: HttpRequest) -> HttpResponse:
    """The /newsletter/ page, and where the box on every article posts to."""
    if request.method != "POST":
        response = render(request, "newsletter/page.html", signup_context())
        response["Cache-Control"] = "no-store"
        return response

    answer = handle_signup(request, request.POST, default_source="newsletter page")
    if wants_json(request):
        return JsonResponse(answer.payload, status=answer.status)
    if answer.status == 429:
        context = {**signup_context(), "error": answer.payload["message"]}
        return render(request, "newsletter/page.html", context, status=429)
    if answer.status == 400:
        return render(request, "newsletter/page.html", signup_context(answer.form), status=400)
    if answer.again:
        # The source too: the consent record should name the page the reader began on.
        source = answer.form.cleaned_data["source"] or request.headers.get("Referer", "")
        context = {**signup_context(answer.form), "notice": ONE_MORE_STEP, "source": source}
        response = render(request, "newsletter/page.html", context)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseRedirect("/newsletter/check-your-inbox/", status=303)


@never_cache
def stamp(request: HttpRequest) -> JsonResponse:
    """A live stamp for a form on a cached page: newsletter.js asks when the page loads."""
    return JsonResponse({"stamp": formstamp.make_live_stamp()})


def check_inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "newsletter/check_inbox.html", {"message": CHECK_INBOX})


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); the POST confirms."""
    try:
        signup.consent_for_token(token)
    except signup.TokenProblem as problem:
        return link_problem(request, problem.reason)
    if request.method != "POST":
        return render(request, "newsletter/confirm.html", {"token": token})
    try:
        subscriber = signup.confirm(token, client_ip(request))
    except signup.TokenProblem as problem:
        return link_problem(request, problem.reason)
    newsletters = [s.newsletter for s in subscriptions.open_ones(subscriber)]
    context = {
        "subscriber": subscriber,
        "newsletters": newsletters,
        "on_digest": any(n.kind == Newsletter.Kind.DIGEST for n in newsletters),
    }
    return render(request, "newsletter/confirmed.html", context)


def link_problem(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "newsletter/link_problem.html",
        {"reason": reason, "form": NewLinkForm(), "stamp": formstamp.make_live_stamp()},
        # 409: the link is genuine but its address belongs to another subscription.
        status={"expired": 410, "used": 410, "taken": 409}.get(reason, 404),
    )


def subscriber_or_404(token: str) -> Subscriber:
    subscriber = subscriber_for_token(token)
    if subscriber is None:
        raise Http404("This link is not valid any more.")
    return subscriber


def manage_newsletters(subscriber: Subscriber) -> tuple[list[Newsletter], set[int]]:
    """The newsletters the preference centre lists (the choosable ones, and any other
    the reader is on, so they can leave it), and the ids of those they are on."""
    on = subscriptions.open_newsletter_ids(subscriber)
    listed = subscriptions.choosable()
    others = Newsletter.objects.filter(pk__in=on - {n.pk for n in listed})
    return sorted([*listed, *others], key=lambda n: (n.position, n.pk)), on


def change_newsletters(subscriber: Subscriber, on: set[int], chosen: set[int]) -> bool:
    """Join and leave from the preference centre: the reader's link proves the
    address, so no new confirmation. Leaving them all unsubscribes (True)."""
    how = "preference centre"
    with transaction.atomic():
        added = Newsletter.objects.filter(pk__in=chosen - on)
        subscriptions.join(subscriber, added, source=how, consent_text=ConsentText.current())
        dropped = Newsletter.objects.filter(pk__in=on - chosen)
        subscriptions.close(subscriber, dropped, how=how)
        if not chosen:
            signup.unsubscribe(subscriber, how=how)
            return True
    return False


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = subscriber_or_404(token)
    newsletters, on = manage_newsletters(subscriber)
    current = {
        "newsletters": sorted(on),
        "cadence": subscriber.cadence,
        "sections": list(subscriber.sections.values_list("pk", flat=True)),
    }
    saved = address_sent = False
    # A reader who left has nothing to set here: the page says how to come back,
    # and a form posted from an old tab changes nothing.
    left = subscriber.status == Subscriber.Status.UNSUBSCRIBED
    if request.method == "POST" and not left:
        form = PreferencesForm(request.POST, initial=current, newsletters=newsletters)
        if form.is_valid():
            subscriber.cadence = form.cleaned_data["cadence"]
            subscriber.save(update_fields=["cadence"])
            subscriber.sections.set(form.cleaned_data["sections"])
            # Only an active reader changes newsletters here; one who left comes
            # back through a new signup and its confirmation.
            if subscriber.is_active:
                chosen = set(form.cleaned_data["newsletters"])
                if change_newsletters(subscriber, on, chosen):
                    return render(request, "newsletter/unsubscribed.html", {"token": token})
            if form.cleaned_data["new_email"]:
                signup.request_address_change(
                    subscriber,
                    form.cleaned_data["new_email"],
                    client_ip(request),
                    request.headers.get("User-Agent", ""),
                )
                address_sent = True
            saved = True
    else:
        form = PreferencesForm(initial=current, newsletters=newsletters)
    return render(
        request,
        "newsletter/manage.html",
        {
            "subscriber": subscriber,
            "form": form,
            "token": token,
            "saved": saved,
            "address_sent": address_sent,
            "left": left,
        },
    )


@never_cache
def export(request: HttpRequest, token: str) -> HttpResponse:
    """Everything we hold about the subscriber, as JSON (GDPR Art. 15 and 20)."""
    from dateline.newsletter.admin_data import subscriber_data

    subscriber = subscriber_or_404(token)
    response = HttpResponse(
        json.dumps(subscriber_data(subscriber), indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="newsletter-data.json"'
    return response


@csrf_exempt
@never_cache
def unsubscribe(
    request: HttpRequest, token: str, slug: str = "", issue: int | None = None
) -> HttpResponseBase:
    """GET shows a button; the button's POST and the RFC 8058 one-click POST unsubscribe.

    With a newsletter's slug (the links in its mail) they leave that newsletter
    alone, counted for ``issue``, and the page offers leaving all of them too;
    without one (mail sent before there were several) they leave everything.
    Leaving the last newsletter is leaving everything. Only the one-click POST
    goes without a CSRF token: mail providers send it with no cookies, and the
    token in the URL already proves the mail was received.
    """
    subscriber = subscriber_or_404(token)
    # An unknown slug (a newsletter renamed or removed since the mail went out)
    # leaves everything: the reader asked to stop, and we cannot tell what.
    newsletter = Newsletter.objects.filter(slug=slug).first() if slug else None
    if request.method == "POST":
        one_click = is_one_click(request)
        if not one_click:
            refused = csrf_refusal(request)
            if refused is not None:
                return refused
        how = "one-click (List-Unsubscribe-Post)" if one_click else "unsubscribe page"
        if newsletter is not None and request.POST.get("all") != "yes":
            signup.leave(subscriber, newsletter, how=how, issue=issue)
        else:
            signup.unsubscribe(subscriber, how=how, issue=issue)
        if one_click:
            return HttpResponse("Unsubscribed.\n", content_type="text/plain")
        subscriber.refresh_from_db(fields=["status"])
        left_all = subscriber.status == Subscriber.Status.UNSUBSCRIBED
        context = {"token": token, "newsletter": None if left_all else newsletter}
        return render(request, "newsletter/unsubscribed.html", context)
    on = newsletter is not None and newsletter.pk in subscriptions.open_newsletter_ids(subscriber)
    return render(
        request,
        "newsletter/unsubscribe.html",
        {"subscriber": subscriber, "token": token, "newsletter": newsletter, "on": on},
    )
