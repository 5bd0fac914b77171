from django.core.management.base import BaseCommand

from apps.notifications.push import vapid_keys_new


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push, as environment variables."

    def handle(self, *args, **options):
        keys = vapid_keys_new()
        self.stdout.write(f"VAPID_PUBLIC_KEY={keys.public_key}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={keys.private_key}")
        self.stdout.write(
            self.style.NOTICE(
                "# Keep the private key secret. Changing the pair makes every device "
                "subscribe again."
            )
        )
