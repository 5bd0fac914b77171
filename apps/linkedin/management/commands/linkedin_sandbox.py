"""`python manage.py linkedin_sandbox`: serve the local LinkedIn sandbox on loopback."""

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.linkedin.sandbox import SandboxConfig, serve


class Command(BaseCommand):
    help = "Serve the local LinkedIn sandbox (OAuth, posts, comments, an audience)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.LINKEDIN_SANDBOX_PORT)
        parser.add_argument("--db", default="var/linkedin-sandbox.sqlite3", help="SQLite file")
        parser.add_argument("--seed", type=int, default=0, help="the audience's random seed")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="audience time per real second, e.g. 60"
        )
        parser.add_argument(
            "--partner",
            action="store_true",
            help="act as an approved partner app, which receives refresh tokens",
        )

        parser.add_argument(
            "--approved",
            action="store_true",
            help="act as an app LinkedIn approved for r_member_social and "
            "r_member_postAnalytics (default: an ordinary self-serve app)",
        )

    def handle(self, *args, host, port, db, seed, speed, partner, approved, **options):
        config = SandboxConfig(partner=partner, approved=approved, audience_speed=speed)
        mode = "approved app mode" if approved else "self-serve app mode"
        self.stdout.write(
            f"LinkedIn sandbox on http://{host}:{port} (state in {db}, seed {seed}, "
            f"audience speed x{speed}, {mode}{', partner app' if partner else ''}). "
            "Ctrl-C to stop."
        )
        try:
            serve(host, port, db, seed=seed, config=config)
        except KeyboardInterrupt:
            self.stdout.write("Sandbox stopped.")
