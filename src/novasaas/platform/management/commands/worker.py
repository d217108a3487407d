"""``novasaas worker``: the background worker (django-tasks-db's ``db_worker`` options, plus a fault-tolerant
loop, heartbeat, task lease and outbox sweep; see platform/worker.py). Run it under a supervisor:
deploy/systemd/novasaas-worker.service."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from novasaas.platform.worker import ResilientWorker


class Command(DBWorkerCommand):
    help = "Run the background worker: tasks, outbox delivery; survives database restarts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=30.0,
            help="Seconds between sweeps (stale tasks re-queued, pending outbox delivered) (default: %(default)r)",
        )
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            sweep_interval=options["sweep_interval"],
        )
        worker.configure_signals()
        worker.run()
