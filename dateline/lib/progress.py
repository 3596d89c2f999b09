"""The one progress bar our long commands show (demo, imports, digests)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(
    console: Console, description: str = "{task.description}", *, verbosity: int = 1
) -> Progress:
    """A bar with done/total and elapsed time; silent at verbosity 0, gone when done."""
    return Progress(
        TextColumn(f"[bold]{description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=verbosity == 0,
    )
