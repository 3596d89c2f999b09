"""Which PostgreSQL text search configuration stems the publication's language."""

from __future__ import annotations

# PostgreSQL's built-in configurations by language code. Named in the settings rather
# than left to the server's default_text_search_config, which is "simple" (no
# stemming) on some servers.
POSTGRES_SEARCH_CONFIGS = {
    "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian",
    "ne": "nepali", "nl": "dutch", "no": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}  # fmt: skip


def postgres_search_config(language: str) -> str:
    """The configuration for a language code such as "de" or "pt-BR"; "simple" if none."""
    return POSTGRES_SEARCH_CONFIGS.get(language.split("-")[0].lower(), "simple")
