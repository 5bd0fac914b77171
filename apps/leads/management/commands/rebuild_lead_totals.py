"""`manage.py rebuild_lead_totals [--workspace SLUG]`: recompute the lead totals the dashboard
reads on PostgreSQL (per post, per status, per hour and status) from the leads themselves.
Triggers keep them; this is for the day they drift (see apps/leads/totals.py and
deploy/README.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from apps.accounts.models import Workspace
from apps.accounts.tenancy import across_workspaces
from apps.leads.totals import rebuild_lead_totals


class Command(BaseCommand):
    help = (
        "Recompute the lead totals per post, per status and per hour and status from the "
        "leads (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", metavar="SLUG", help="one workspace (default: all)")

    def handle(self, *args, workspace=None, **options):
        if connections["default"].vendor != "postgresql":
            self.stdout.write("Nothing to do: only PostgreSQL keeps lead totals.")
            return
        with across_workspaces(reason="operator command: recompute lead totals"):
            workspace_id = None
            if workspace:
                workspace_id = (
                    Workspace.objects.filter(slug=workspace).values_list("pk", flat=True).first()
                )
                if workspace_id is None:
                    raise CommandError(f"No workspace with the slug {workspace!r}.")
            result = rebuild_lead_totals(workspace_id=workspace_id)
        self.stdout.write(
            f"Lead totals rebuilt for {workspace or 'every workspace'}: {result['posts']} "
            f"posts, {result['statuses']} statuses, {result['hours']} hours and statuses; "
            f"{result['differing']} rows had drifted."
        )
