from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "novasaas.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from novasaas.platform import checks  # noqa: F401  (registers system checks)
        from novasaas.platform.collation import register_sqlite

        # the Vietnamese collation on SQLite (PostgreSQL has it from ICU): a database setting
        connection_created.connect(lambda sender, connection, **kw: register_sqlite(connection), weak=False)
        from novasaas.platform import search

        # accent-insensitive search on SQLite (PostgreSQL uses its built-in translate())
        connection_created.connect(lambda sender, connection, **kw: search.register_sqlite(connection), weak=False)
