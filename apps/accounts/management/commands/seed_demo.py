from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import ExpertiseProfile, Membership, Role, User, Workspace
from apps.accounts.tenancy import across_workspaces

DEMO_EMAIL = "demo@techlead.example"
DEMO_PASSWORD = "demo-autopilot-2026"  # noqa: S105  (a public demo login, printed by make run)
DEMO_SLUG = "demo"
# Staff login for /admin/ and the kept-mail page /dev/mail/ of `make run`.
STAFF_EMAIL = "staff@techlead.example"

DEMO_PROFILE = {
    "headline": "Fractional CTO for B2B SaaS scale-ups",
    "areas": ["Kubernetes", "platform engineering", "AWS cost control", "data platforms"],
    "years_experience": 17,
    "industries": ["fintech", "logistics", "B2B SaaS"],
    "offers": ["fractional CTO", "architecture review", "Kubernetes migration"],
    "case_studies": [
        {
            "client_type": "payments scale-up",
            "problem": "a VM fleet nobody dared to patch",
            "action": "Moved a payments platform from VMs to Kubernetes",
            "results": "cut cloud spend 38% in 4 months with zero downtime",
            "may_name": False,
            "client_name": "",
        },
        {
            "client_type": "logistics company",
            "problem": "reports a working day out of date",
            "action": "Rebuilt a logistics data pipeline on Kafka",
            "results": "reports went from 9 hours stale to under 2 minutes",
            "may_name": False,
            "client_name": "",
        },
    ],
    "tone": ExpertiseProfile.Tone.DIRECT,
    "language": ExpertiseProfile.Language.EN,
}


class Command(BaseCommand):
    help = (
        "Create the demo user, workspace and expertise profile. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-history",
            dest="history",
            action="store_false",
            help="skip the eight weeks of published posts, metrics and leads",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        with across_workspaces(reason="development command: creates the demo workspace"):
            user, user_created = User.objects.get_or_create(
                email=DEMO_EMAIL,
                defaults={"full_name": "Dana Demo", "timezone": "Europe/Berlin"},
            )
            if user_created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
            )

            workspace, _ = Workspace.objects.get_or_create(
                slug=DEMO_SLUG,
                defaults={
                    "name": "Dana Demo Consulting",
                    "timezone": "Europe/Berlin",
                    "plan": Workspace.Plan.SOLO,
                    "subscription_status": Workspace.SubscriptionStatus.ACTIVE,
                },
            )
            Membership.objects.get_or_create(
                workspace=workspace, user=user, defaults={"role": Role.OWNER}
            )
            ExpertiseProfile.objects.get_or_create(
                workspace=workspace, user=user, defaults=DEMO_PROFILE
            )
            staff, staff_created = User.objects.get_or_create(
                email=STAFF_EMAIL,
                defaults={"full_name": "Sam Staff", "is_staff": True, "is_superuser": True},
            )
            if staff_created:
                staff.set_password(DEMO_PASSWORD)
                staff.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=staff, email=STAFF_EMAIL, defaults={"verified": True, "primary": True}
            )
            call_command("load_post_templates", stdout=self.stdout)
            if options.get("history", True):
                call_command("seed_demo_history", stdout=self.stdout)
            state = "created" if user_created else "already there"
            self.stdout.write(f"Demo workspace {state}: {DEMO_EMAIL} / {DEMO_PASSWORD}")
