"""Search on SQLite finds a word's other forms: "flood" finds "floods" and "flooding".

Wagtail's SQLite backend makes its FTS5 table with FTS5's default tokenizer, which
matches whole words only. This remakes the table with the Porter stemmer in front
(FTS5 stems the query with the same tokenizer) and copies the index into it.
PostgreSQL stems already, with the text search configuration in settings
(WAGTAILSEARCH_BACKENDS, SEARCH_CONFIG). Wagtail's triggers name the table, not
its rowids, so they keep filling the new one.
"""

from django.db import migrations

FTS_TABLE = "wagtailsearch_indexentry_fts"
ENTRIES = "wagtailsearch_indexentry"
STEMMED = "porter unicode61"
WORDS_ONLY = "unicode61"


def remake_fts_table(tokenizer: str):
    def remake(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [FTS_TABLE]
            )
            if cursor.fetchone() is None:
                return  # an SQLite built without FTS5: Wagtail searches with LIKE
            cursor.execute(f"DROP TABLE {FTS_TABLE}")
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                f"autocomplete, body, title, tokenize = '{tokenizer}')"
            )
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, body, autocomplete) "  # noqa: S608
                f"SELECT id, title, body, autocomplete FROM {ENTRIES}"
            )

    return remake


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [
        migrations.RunPython(remake_fts_table(STEMMED), remake_fts_table(WORDS_ONLY)),
    ]
