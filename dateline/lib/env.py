"""Typed readers for the environment, so settings.py reads like a table of defaults.

Ours, not environs or django-environ: here a variable set but empty (``VAR=`` in a
compose file) means the default and a misspelt boolean is an error, where environs
refuses an empty bool or int and django-environ reads both as false.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


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
