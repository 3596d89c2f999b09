"""A 503 that says what happened when the database cannot answer, instead of a 500.

Django turns any exception escaping a view or middleware into the ``handler500``
response. When the exception is the database's (PostgreSQL restarting or out of
reach, a connection it dropped, SQLite's disk full), nothing is wrong with the
request and the reader can try again: they get a 503 with ``Retry-After`` and a
plain message, as an HTML page or, for the JSON endpoints, as JSON. The
traceback still goes to the log (Django logs it before calling the handler).

Requests are not retried here: a POST may have reached the database before the
connection dropped. Django's ``CONN_HEALTH_CHECKS`` (on for PostgreSQL) replaces
a dead persistent connection at the start of the next request, so a restarted
database is used again without restarting the web processes.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from dateline.lib import http
from dateline.lib.security import INLINE_STYLE_POLICY
from dateline.newsroom.errors import server_error as styled_500

RETRY_AFTER_SECONDS = 30

MESSAGES = {
    "full": (
        "We could not save this: the site has run out of storage space. Nothing was "
        "saved. Please try again later."
    ),
    "down": (
        "The site's database is not answering for a moment, so nothing was saved or "
        "shown. Please try again in a minute."
    ),
}


def database_problem(error: BaseException | None) -> str | None:
    """ "full" or "down" when ``error`` means the database could not do its part, else None."""
    if not isinstance(error, OperationalError | InterfaceError):
        return None
    # SQLITE_FULL: the disk (or the database's size limit) is full.
    if "database or disk is full" in str(error):
        return "full"
    # Connection refused or dropped, the server shutting down or starting up, a
    # lock or statement timeout: all pass, and the same request can then succeed.
    return "down"


def wants_json(request: HttpRequest) -> bool:
    # Wider than a page script's wish: a client that sent JSON, or any API address.
    return (
        http.wants_json(request)
        or request.content_type == "application/json"
        or request.path.startswith("/newsletter/api/")
    )


def unavailable_response(request: HttpRequest, problem: str) -> HttpResponse:
    message = MESSAGES[problem]
    response: HttpResponse
    if wants_json(request):
        response = http.json_answer(False, message, status=503)
    else:
        # No context processors and no database: the template is self-contained.
        body = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(body, status=503)
        response["Content-Security-Policy"] = INLINE_STYLE_POLICY
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a 503 for database trouble, the styled 500 page for anything else."""
    # Django calls the handler inside its ``except`` block: the exception is current.
    problem = database_problem(sys.exc_info()[1])
    if problem is None:
        return styled_500(request)
    return unavailable_response(request, problem)
