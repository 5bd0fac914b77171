"""What the LinkedIn app announces for higher apps to act on (it imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that records an expiry reminder, once per threshold (14, 7, 1
# days); arguments: connection, days_left. apps/webhooks turns it into `token.expiring`.
token_expiring = Signal()
