"""What the LinkedIn app announces for higher apps to act on (it imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that records an expiry reminder, once per threshold.
# Arguments: connection, threshold (14, 7 or 1 days), days_left (rounded, at least 1).
# apps/webhooks turns it into the `token.expiring` event.
token_expiring = Signal()
