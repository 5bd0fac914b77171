"""Which URLs may receive webhooks and Web Push messages: the guard against server-side
request forgery.

A webhook makes our servers send a request to an address a customer typed. Without a
guard, "https://169.254.169.254/latest/meta-data/" or "http://10.0.0.5:6379/" would turn the
delivery worker into a probe of our own network. So a destination must be https, carry no
credentials, and name a host whose every address is globally routable, IPv4 addresses
embedded in IPv6 (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo) included: the
check runs when an endpoint is saved and again before every delivery (a name can be
pointed elsewhere after saving).

The request then goes to the address that was checked (`pinned_session`), never to a
second DNS answer: a name that answers a public address to the check and 127.0.0.1 to the
connection (DNS rebinding) reaches nothing. TLS still verifies the certificate for the name.

Local testing needs WEBHOOKS_ALLOW_LOCAL = True (off by default, also under DEBUG): it
allows plain http and private or loopback addresses.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

MAX_URL_LENGTH = 500

# NAT64 prefixes (RFC 6052 well-known, RFC 8215 local use): the last 32 bits are an IPv4
# address the translator connects to.
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
# IPv4-compatible IPv6 (deprecated, RFC 4291): ::a.b.c.d.
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class DestinationRefused(Exception):
    """The address may not receive requests; the message is for its owner."""


@dataclass(frozen=True)
class Destination:
    url: str
    host: str  # the name in the URL: the Host header, TLS server name and certificate
    port: int
    # The checked IP address the connection goes to; None only when local destinations are
    # allowed and the name does not resolve (yet): then the connection resolves it itself.
    address: str | None


def local_destinations_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOCAL", False))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address a packet to `ip` could end up at."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client)
    if any(ip in prefix for prefix in NAT64_PREFIXES) or ip in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address, after unwrapping any IPv4 inside."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        candidates += _embedded_ipv4(ip)
    return all(
        c.is_global and not c.is_multicast and not c.is_reserved and not c.is_unspecified
        for c in candidates
    )


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


def destination_check(url: str) -> Destination:
    """The destination to connect to, checked; raises DestinationRefused saying why not."""
    if len(url) > MAX_URL_LENGTH:
        raise DestinationRefused(_("The address is too long."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationRefused(_("This is not a valid address.")) from None
    allow_local = local_destinations_allowed()
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DestinationRefused(_("Use an https:// address."))
    if parts.scheme == "http" and not allow_local:
        raise DestinationRefused(_("Use an https:// address: webhooks carry your data."))
    if parts.username is not None or parts.password is not None:
        raise DestinationRefused(
            _("Leave user names and passwords out of the address; verify the signature.")
        )
    host = parts.hostname.rstrip(".")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses and allow_local:
        return Destination(url=url, host=host, port=port, address=None)
    if not addresses:
        raise DestinationRefused(_("%(host)s could not be found.") % {"host": host})
    if not allow_local and not all(is_public_address(address) for address in addresses):
        raise DestinationRefused(_("%(host)s is a private or internal address.") % {"host": host})
    # Every address was checked; connect to one, IPv4 first (not every host routes IPv6).
    address = sorted(addresses, key=lambda a: (":" in a, a))[0]
    return Destination(url=url, host=host, port=port, address=address)


def destination_problem(url: str) -> str | None:
    """Why this URL may not receive webhooks, in words for its owner; None when it may."""
    try:
        destination_check(url)
    except DestinationRefused as refused:
        return str(refused)
    return None


def validate_destination(url: str) -> None:
    """The model and form validator."""
    problem = destination_problem(url)
    if problem:
        raise ValidationError(problem, code="unsafe_destination")


class _PinnedAdapter(HTTPAdapter):
    """Connects to the checked address whatever the URL's name resolves to now; the name is
    still sent as Host and as the TLS server name, and the certificate is verified for it."""

    def __init__(self, destination: Destination):
        self.destination = destination
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        if self.destination.address is None:
            return host_params, pool_kwargs
        if (host_params["host"] or "").rstrip(".").lower() != self.destination.host.lower():
            # A request to any other name (a redirect followed by a library) is refused.
            raise requests.ConnectionError("request to a host that was not checked")
        host_params["host"] = self.destination.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self.destination.host
            pool_kwargs["assert_hostname"] = self.destination.host
        return host_params, pool_kwargs

    def send(self, request, *args, **kwargs):
        request.headers["Host"] = urlsplit(request.url).netloc.rsplit("@", 1)[-1]
        return super().send(request, *args, **kwargs)


def pinned_session(destination: Destination) -> requests.Session:
    """A session whose every request goes to `destination.address`, following no redirects."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would resolve the name again
    session.max_redirects = 0
    adapter = _PinnedAdapter(destination)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
