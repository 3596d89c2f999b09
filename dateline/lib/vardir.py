"""The site's own folder (``DATELINE_VAR_DIR``, ``var/`` by default) and the development key in it.

The entry points (the ``dateline`` command, ``wsgi.py``) make the folder and the key
before Django reads the settings, so that importing the settings writes nothing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def var_dir() -> Path:
    return Path(os.environ.get("DATELINE_VAR_DIR", str(BASE_DIR / "var")))


def dev_key_file(folder: Path) -> Path:
    return folder / "dev-secret-key"


def prepare_var_dir() -> Path:
    """Make the folder and, in development without ``SECRET_KEY``, the key kept there."""
    folder = var_dir()
    folder.mkdir(parents=True, exist_ok=True)
    production = os.environ.get("DATELINE_ENV") == "production"
    if not os.environ.get("SECRET_KEY") and not production:
        kept_secret(dev_key_file(folder))
    return folder


def development_secret(path: Path) -> str:
    """The key ``prepare_var_dir`` kept in ``path``; without the file (a process that no
    entry point started, e.g. ``python -c`` with ``django.setup()``), one for this
    process alone."""
    try:
        return path.read_text().strip() or secrets.token_urlsafe(50)
    except FileNotFoundError:
        return secrets.token_urlsafe(50)


def kept_secret(path: Path) -> str:
    """A random secret made once and kept in ``path`` (the development SECRET_KEY).

    Written whole under a name of its own, then linked into place: processes started
    together on a new folder (two workers) never read it half-written, and all end up
    with the one that was linked first.
    """
    if not path.exists():
        making = path.with_name(f".{path.name}.{os.getpid()}")
        making.write_text(secrets.token_urlsafe(50))
        try:
            os.link(making, path)
        except FileExistsError:
            pass  # another process was first: its secret is the one
        finally:
            making.unlink()
    return path.read_text().strip()
