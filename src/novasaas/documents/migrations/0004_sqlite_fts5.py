"""SQLite: an FTS5 index of ``DocumentSearch.text`` (the folded name, tags and text), kept by triggers on
``documents_documentsearch`` so every write path (reindex, cascade on purge) follows. Ranked by bm25 in
``selectors.search_queryset``. PostgreSQL keeps its tsvector + GIN path: nothing to do there."""

from django.db import migrations

FTS = "documents_search_fts5"
SEARCH = "documents_documentsearch"

CREATE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, tenant_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER {FTS}_ai AFTER INSERT ON {SEARCH} BEGIN
        INSERT INTO {FTS}(rowid, text, tenant_id) VALUES (new.document_id, new.text, new.tenant_id);
    END""",
    f"""CREATE TRIGGER {FTS}_ad AFTER DELETE ON {SEARCH} BEGIN
        DELETE FROM {FTS} WHERE rowid = old.document_id;
    END""",
    f"""CREATE TRIGGER {FTS}_au AFTER UPDATE ON {SEARCH} BEGIN
        DELETE FROM {FTS} WHERE rowid = old.document_id;
        INSERT INTO {FTS}(rowid, text, tenant_id) VALUES (new.document_id, new.text, new.tenant_id);
    END""",
    f"INSERT INTO {FTS}(rowid, text, tenant_id) SELECT document_id, text, tenant_id FROM {SEARCH}",
]
DROP = [f"DROP TRIGGER IF EXISTS {FTS}_{t}" for t in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {FTS}"]


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_search_table")]

    operations = [migrations.RunPython(create_fts, drop_fts)]
