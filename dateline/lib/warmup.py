"""Getting a long-lived process (a web worker, a task worker) ready for its first job."""

from __future__ import annotations

import gc

from django.urls import get_resolver


def warm_up() -> None:
    """Build now what the first request or task would build, then freeze it for the GC.

    The URL resolver (the first reverse() of a page or a mail's links) takes a quarter
    of a second of CPU or more to build here: a digest send or a reader that paid for it
    would wait that long.

    Django, Wagtail and the project load some hundreds of thousands of objects that live
    as long as the process. Python's garbage collector walks all of them in every full
    collection: 110 ms at a time in a web worker under bench/signup, the slowest answer
    of the run. gc.freeze() moves what exists now to a generation it never walks; a full
    collection then takes 3-5 ms.
    """
    resolver = get_resolver()
    _ = resolver.reverse_dict, resolver.namespace_dict
    gc.freeze()
