"""HTML mail from MJML, compiled once per process into a Django template.

MJML (through mjml-python, the Rust MRML engine: no Node) turns a template's
``<mj-section>``s into the table layout with Outlook's conditional tables that
mail clients need. It runs on the template's source the first time it is used,
with the Django tags still in it (control tags sit in ``<mj-raw>`` so MJML leaves
them where they are); every message is then a plain Django render of the result,
so the digest's per-group bytes and their placeholders work as before.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import mjml
from django.template import engines
from django.template.backends.django import Template

# What MJML writes that the HTML standard (and so the Nu Html Checker) rejects, and
# that no client needs from us: the VML namespaces (we use no VML), an attribute that
# HTML does not have on <td>, and "auto" where <img height> wants a number.
_INVALID = [
    (re.compile(r' xmlns:[vo]="[^"]*"'), ""),
    (re.compile(r' vertical-align="middle"'), ""),
    (re.compile(r'(<img[^>]*?) height="auto"'), r"\1"),
]
# Taken out because no client we check needs them: links open outside the mail client
# anyway, images have no outline, and collapsed borders have no spacing.
_UNNEEDED = re.compile(r' target="_blank"|outline: ?none; ?|border-spacing:0px;')
# Outlook's own properties are not CSS to anyone else: given to Outlook alone, in a
# conditional comment (mail/head.mjml has the buttons' mso-padding-alt).
_MSO_INLINE = re.compile(r'(style="[^"]*?)mso-padding-alt:[^;"]*;?')
_MSO_TABLE = "mso-table-lspace: 0pt; mso-table-rspace: 0pt; "
_MSO_STYLE = (
    "<!--[if mso]><style>table, td { mso-table-lspace: 0pt; mso-table-rspace: 0pt; }</style>"
    "<![endif]--></head>"
)


def _source(path: str) -> str:
    """A template's source; ``path``, as mjml2html's include_loader names it."""
    template, _origin = engines["django"].engine.find_template(path)  # type: ignore[attr-defined]
    return str(template.source)


def compile_mjml(source: str) -> str:
    """MJML to HTML, ``<mj-include path="…">`` read as a template name."""
    page = mjml.mjml2html(source, disable_comments=True, fonts={}, include_loader=_source)
    for pattern, replacement in _INVALID:
        page = pattern.sub(replacement, page)
    page = _MSO_INLINE.sub(r"\1", _UNNEEDED.sub("", page))
    if _MSO_TABLE in page:
        page = page.replace(_MSO_TABLE, "", 1).replace("</head>", _MSO_STYLE, 1)
    return page


@functools.cache
def template(name: str) -> Template:
    """The template ``name`` (an .mjml file) compiled, once per process."""
    return engines["django"].from_string(compile_mjml(_source(name)))  # type: ignore[return-value]


def render(name: str, context: dict[str, Any]) -> str:
    return template(name).render(context)


_BODY = re.compile(r"(<body[^>]*>)(.*)(</body>)", re.S)


def as_web_page(html: str) -> str:
    """A mail shown as a web page: its content in a <main> landmark, which a mail
    client has no use for but a screen reader on the page looks for first."""
    return _BODY.sub(r"\1<main>\2</main>\3", html, count=1)
