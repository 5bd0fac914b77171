"""`python manage.py linkedin_check [--workspace SLUG]`: is LinkedIn reachable with the
configured version and credentials, and what works for a workspace, in words."""

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.tenancy import across_workspaces
from apps.linkedin.check import check


class Command(BaseCommand):
    help = (
        "Make one harmless call to LinkedIn with the configured version (and a workspace's "
        "token) and report the version, the scopes and what works."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="the slug of a workspace whose token to use")

    def handle(self, *args, workspace=None, **options):
        with across_workspaces(reason="operator command: the workspace named by --workspace"):
            connection = capabilities = None
            if workspace:
                from apps.accounts.models import Workspace
                from apps.linkedin.selectors import connection_for

                found = Workspace.objects.filter(slug=workspace).first()
                if found is None:
                    raise CommandError(f"No workspace with the slug {workspace!r}.")
                connection = connection_for(workspace=found)
                # An entry point may gather facts from the higher apps; the linkedin app's own
                # modules may not (see apps/linkedin/capabilities.py).
                from apps.analytics.capabilities import workspace_capabilities

                capabilities = workspace_capabilities(workspace=found, connection=connection)
            result = check(connection=connection)
            style = {"ok": self.style.SUCCESS, "warn": self.style.WARNING}.get(
                result.level, self.style.ERROR
            )
            self.stdout.write(style(f"LinkedIn check: {result.level}"))
            self.stdout.write(f"  Version   {result.version_words}")
            self.stdout.write(f"  Call      {result.call_words}")
            self.stdout.write(f"  Asks for  {' '.join(result.requested_scopes)}")
            if result.granted_scopes is not None:
                granted = " ".join(result.granted_scopes) or "nothing (not connected)"
                self.stdout.write(f"  Granted   {granted}")
            if capabilities is not None:
                for capability in capabilities:
                    line = f"  {capability.name:<16}{capability.state_label}"
                    self.stdout.write(
                        line + (f": {capability.detail}" if capability.detail else "")
                    )
            if result.level == "bad":
                # A non-zero exit, so a deploy script can stop on a dead version or token.
                raise CommandError(f"LinkedIn check failed: {result.summary}")
