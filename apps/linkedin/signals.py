"""What the LinkedIn app announces for higher apps to act on (it imports none of them)."""

from django.dispatch import Signal

# Sent inside the transaction that records an expiry reminder, once per threshold.
# Arguments: connection, threshold (14, 7 or 1 days), days_left (rounded, at least 1), notice
# (what owners and admins read). apps/webhooks/receivers.py records the `token.expiring` event.
token_expiring = Signal()

# Sent inside the transaction that flags a connection as needing a reconnect, once per flag.
# Arguments: connection, flagged_at, notice. Recorded as the `linkedin.needs_reconnect` event.
needs_reconnect = Signal()
