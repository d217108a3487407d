"""Row-level security on every accounting table, and the ledger's database guards on PostgreSQL:

- a deferred constraint trigger checks at commit that every posted entry balances (Σ debit = Σ credit,
  non-zero), whatever wrote the rows (the application, a script, raw SQL);
- row triggers refuse UPDATE and DELETE of posted entries and of their lines, and INSERT of a line
  into a posted entry.
"""

from typing import Any

from django.db import migrations

from novasaas.platform.rls import EnableRLS

GUARDS_SQL = """
CREATE OR REPLACE FUNCTION acc_check_entry_balance() RETURNS trigger AS $$
DECLARE
    eid bigint;
    st varchar;
    d numeric;
    c numeric;
    prev text;
BEGIN
    IF TG_TABLE_NAME = 'accounting_journalentry' THEN eid := NEW.id; ELSE eid := NEW.entry_id; END IF;
    -- At commit the tenant scope of the transaction may already be reset (tenant_context restores the
    -- outer scope on exit), so row-level security would hide the rows being checked: read them in the
    -- platform scope for the duration of this read-only check.
    prev := current_setting('app.platform', true);
    PERFORM set_config('app.platform', 'on', true);
    SELECT state INTO st FROM accounting_journalentry WHERE id = eid;
    SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) INTO d, c
        FROM accounting_journalline WHERE entry_id = eid;
    PERFORM set_config('app.platform', COALESCE(prev, ''), true);
    IF st IS DISTINCT FROM 'posted' THEN RETURN NULL; END IF;
    IF d <> c OR d = 0 THEN
        RAISE EXCEPTION 'journal entry % is not balanced (debit %, credit %)', eid, d, c
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS acc_entry_balanced ON accounting_journalentry;
CREATE CONSTRAINT TRIGGER acc_entry_balanced AFTER INSERT OR UPDATE ON accounting_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION acc_check_entry_balance();
DROP TRIGGER IF EXISTS acc_line_balanced ON accounting_journalline;
CREATE CONSTRAINT TRIGGER acc_line_balanced AFTER INSERT OR UPDATE ON accounting_journalline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION acc_check_entry_balance();

CREATE OR REPLACE FUNCTION acc_protect_posted_entry() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'posted' THEN
        RAISE EXCEPTION 'posted journal entry % is immutable', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS acc_entry_immutable ON accounting_journalentry;
CREATE TRIGGER acc_entry_immutable BEFORE UPDATE OR DELETE ON accounting_journalentry
    FOR EACH ROW EXECUTE FUNCTION acc_protect_posted_entry();

CREATE OR REPLACE FUNCTION acc_protect_posted_line() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND EXISTS (
        SELECT 1 FROM accounting_journalentry WHERE id = OLD.entry_id AND state = 'posted'
    ) THEN
        RAISE EXCEPTION 'line % of a posted journal entry is immutable', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP <> 'DELETE' AND EXISTS (
        SELECT 1 FROM accounting_journalentry WHERE id = NEW.entry_id AND state = 'posted'
    ) THEN
        RAISE EXCEPTION 'journal entry % is posted: no line can be added or moved into it', NEW.entry_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS acc_line_immutable ON accounting_journalline;
CREATE TRIGGER acc_line_immutable BEFORE INSERT OR UPDATE OR DELETE ON accounting_journalline
    FOR EACH ROW EXECUTE FUNCTION acc_protect_posted_line();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS acc_line_immutable ON accounting_journalline;
DROP TRIGGER IF EXISTS acc_entry_immutable ON accounting_journalentry;
DROP TRIGGER IF EXISTS acc_line_balanced ON accounting_journalline;
DROP TRIGGER IF EXISTS acc_entry_balanced ON accounting_journalentry;
DROP FUNCTION IF EXISTS acc_protect_posted_line();
DROP FUNCTION IF EXISTS acc_protect_posted_entry();
DROP FUNCTION IF EXISTS acc_check_entry_balance();
"""


def install_guards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARDS_SQL, params=None)


def remove_guards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]

    operations = [
        EnableRLS("ChartOfAccount"),
        EnableRLS("Account"),
        EnableRLS("AccountingSettings"),
        EnableRLS("AccountMapping"),
        EnableRLS("FiscalYear"),
        EnableRLS("FiscalPeriod"),
        EnableRLS("Journal"),
        EnableRLS("JournalEntry"),
        EnableRLS("JournalLine"),
        EnableRLS("AccountBalance"),
        EnableRLS("TaxRate"),
        EnableRLS("TaxTransaction"),
        migrations.RunPython(install_guards, remove_guards),
    ]
