"""Which URLs may receive webhooks: the guard against server-side request forgery.

A webhook makes our servers send a request to an address a customer typed. Without a
guard, "https://169.254.169.254/latest/meta-data/" or "http://10.0.0.5:6379/" would turn the
delivery worker into a probe of our own network. So a destination must be https, carry no
credentials, and name a host whose every address is public. The check runs when an endpoint
is saved and again before every delivery (a name can be pointed elsewhere after saving).

Local testing (settings.DEBUG, or WEBHOOKS_ALLOW_LOCAL = True) also allows plain http and
private or loopback addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 500


def local_destinations_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_LOCAL", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host: str, port: int) -> list[str]:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


def destination_problem(url: str) -> str | None:
    """Why this URL may not receive webhooks, in words for its owner; None when it may."""
    if len(url) > MAX_URL_LENGTH:
        return _("The address is too long.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("This is not a valid address.")
    allow_local = local_destinations_allowed()
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("Use an https:// address.")
    if parts.scheme == "http" and not allow_local:
        return _("Use an https:// address: webhooks carry your data.")
    if parts.username is not None or parts.password is not None:
        return _("Leave user names and passwords out of the address; verify the signature.")
    if allow_local:
        return None
    host = parts.hostname.rstrip(".")
    addresses = _addresses(host, port or 443)
    if not addresses:
        return _("%(host)s could not be found.") % {"host": host}
    if not all(_is_public(address) for address in addresses):
        return _("%(host)s is a private or internal address.") % {"host": host}
    return None


def validate_destination(url: str) -> None:
    """The model and form validator."""
    problem = destination_problem(url)
    if problem:
        raise ValidationError(problem, code="unsafe_destination")
