import json
import logging
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from apps.accounts.tenancy import across_workspaces
from apps.core import simulation


class Command(BaseCommand):
    help = (
        "Replay a day of the capacity model's load (deploy/README.md) on this machine in "
        "compressed time, against a LinkedIn sandbox, and report whether every post went out "
        "within its minute and every alert within 60 s. Creates workspaces named sim-* and "
        "removes them afterwards (unless --keep). Never against a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspaces", type=int, default=1000)
        parser.add_argument(
            "--speedup",
            type=float,
            default=96.0,
            help="how many times faster than real time the day runs (96: a day in 15 min)",
        )
        parser.add_argument("--from-hour", type=float, default=0.0)
        parser.add_argument("--hours", type=float, default=24.0)
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="run tasks in this process even when Redis is there (the default without it)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the sim-* workspaces")
        parser.add_argument("--json", dest="json_path", help="also write the report here")

    def handle(self, *args, **options):
        if settings.SETTINGS_MODULE.endswith(".prod"):
            raise CommandError("The simulation writes a thousand workspaces: not in production.")
        if options["workspaces"] < 1 or options["speedup"] <= 0 or options["hours"] <= 0:
            raise CommandError("--workspaces, --speedup and --hours must be positive.")
        # Worker processes need a broker and a database they share with this process.
        shared = settings.CELERY_BROKER_URL.startswith("redis") and connection.vendor != "sqlite"
        use_workers = shared and not options["in_process"]
        plan = simulation.Plan(
            workspaces=options["workspaces"],
            speedup=options["speedup"],
            from_hour=options["from_hour"],
            hours=options["hours"],
            tick=options["tick"],
            seed=options["seed"],
        )
        log_dir = Path(settings.BASE_DIR) / "var" / "simulation"
        logging.disable(logging.INFO)  # a line per task would bury the report
        # Stopped with SIGTERM: unwind, so the worker processes are stopped and the sim-*
        # workspaces removed as after a normal end.
        previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        # The simulation builds, reads and removes a thousand workspaces: across workspaces by
        # design. Its tasks and dashboard visits each run in their own scope, as in production.
        with across_workspaces(reason="operator command simulate_day: its sim-* workspaces"):
            try:
                report = simulation.run(
                    plan, use_workers=use_workers, log_dir=log_dir, say=self.stdout.write
                )
            finally:
                logging.disable(logging.NOTSET)
                signal.signal(signal.SIGTERM, previous)
                if not options["keep"]:
                    simulation.remove_simulated()
        for line in simulation.report_lines(report):
            self.stdout.write(line)
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(report, indent=2) + "\n")
        return None
