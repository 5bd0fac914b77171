"""The SSRF guard: webhooks go to public https addresses only, unless testing locally."""

import socket

import pytest
import requests
from django.core.exceptions import ValidationError

from apps.webhooks import client, destinations

PUBLIC_IP = "93.184.215.14"
DNS = {
    "hooks.example.com": [PUBLIC_IP],
    "internal.example.com": ["10.1.2.3"],
    "half-internal.example.com": [PUBLIC_IP, "192.168.0.7"],
    "localhost": ["127.0.0.1", "::1"],
}


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch, settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_LOCAL = False

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in DNS:
            raise socket.gaierror("not found")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in DNS[host]]

    monkeypatch.setattr(destinations.socket, "getaddrinfo", getaddrinfo)


def test_a_public_https_hostname_is_allowed():
    assert destinations.destination_problem("https://hooks.example.com/techlead") is None
    destinations.validate_destination("https://hooks.example.com:8443/in?x=1")


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT, not the internet
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "https://internal.example.com/hook",
        # IPv4 loopback and private addresses wrapped in IPv6
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "https://[64:ff9b:1::a00:1]/hook",  # local-use NAT64 of 10.0.0.1
        "https://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "https://[2002:a9fe:a9fe::1]/hook",  # 6to4 of 169.254.169.254
        "https://[::7f00:1]/hook",  # IPv4-compatible 127.0.0.1
        "https://[::ffff:127.0.0.1]/hook",
        "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",  # Teredo, client 127.0.0.1
        "https://[fd00::1]/hook",  # unique local
        "https://[fe80::1%25eth0]/hook",  # link-local with a zone
        "https://[ff02::1]/hook",  # multicast
        "https://224.0.0.1/hook",
        "https://240.0.0.1/hook",  # reserved
        "https://half-internal.example.com/hook",
    ],
)
def test_private_loopback_and_link_local_destinations_are_refused(url):
    problem = destinations.destination_problem(url)

    assert problem is not None
    assert "private or internal" in problem


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "https://"),
        ("gopher://hooks.example.com/", "https://"),
        ("http://hooks.example.com/hook", "https://"),
        ("https://user:pass@hooks.example.com/hook", "passwords"),
        ("https://token@hooks.example.com/hook", "passwords"),
        ("https://nowhere.invalid/hook", "could not be found"),
        ("https://hooks.example.com:99999/", "not a valid address"),
    ],
)
def test_other_schemes_plain_http_credentials_and_unknown_hosts_are_refused(url, reason):
    problem = destinations.destination_problem(url)

    assert problem is not None
    assert reason in problem


def test_the_validator_raises_a_validation_error_for_a_refused_address():
    with pytest.raises(ValidationError):
        destinations.validate_destination("https://169.254.169.254/")


def test_local_testing_allows_http_on_loopback(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True

    assert destinations.destination_problem("http://127.0.0.1:8001/hook") is None
    assert destinations.destination_problem("http://localhost:8001/hook") is None


def test_debug_alone_does_not_allow_local_addresses(settings):
    # Local destinations need their own setting: DEBUG switched on by mistake in a
    # deployment must not open the internal network.
    settings.DEBUG = True

    assert destinations.destination_problem("https://127.0.0.1:8001/hook") is not None
    assert destinations.destination_problem("http://hooks.example.com/hook") is not None


def test_a_public_ipv6_address_and_6to4_of_a_public_ipv4_are_allowed():
    assert destinations.destination_problem("https://[2606:4700:4700::1111]/hook") is None
    assert destinations.destination_problem("https://[2002:5db8:d70e::1]/hook") is None


def test_credentials_are_refused_even_when_testing_locally(settings):
    settings.WEBHOOKS_ALLOW_LOCAL = True

    assert destinations.destination_problem("http://a:b@127.0.0.1/") is not None


def test_a_name_pointed_at_a_private_address_after_saving_is_not_sent_to(monkeypatch):
    monkeypatch.setitem(DNS, "moved.example.com", ["10.9.9.9"])
    sent = []
    monkeypatch.setattr(client.requests, "post", lambda *a, **kw: sent.append(a))

    result = client.send(
        url="https://moved.example.com/hook", secret="whsec_x", event_id="e", body=b"{}"
    )

    assert not result.ok
    assert "private or internal" in result.error
    assert sent == []


def test_the_connection_goes_to_the_checked_address_not_a_second_dns_answer(monkeypatch, settings):
    """DNS rebinding: the name answers a public address to the check and 127.0.0.1 later.
    The request must go to the checked address, with the name kept as Host."""
    import http.server
    import threading

    settings.WEBHOOKS_ALLOW_LOCAL = True  # the receiver below listens on 127.0.0.1
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    port = server.server_address[1]
    answers = iter([["127.0.0.1"], ["10.66.66.66"]])  # checked first, then rebound
    lookups = []

    def rebinding_dns(host, port, *args, **kwargs):
        lookups.append(host)
        addresses = [host] if host[0].isdigit() else next(answers)  # an IP resolves to itself
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in addresses]

    monkeypatch.setattr(destinations.socket, "getaddrinfo", rebinding_dns)
    try:
        result = client.send(
            url=f"http://rebind.example.com:{port}/hook", secret="whsec_x", event_id="e", body=b"{}"
        )
    finally:
        server.shutdown()
        server.server_close()

    assert result.ok, result.error
    # The name was looked up once, for the check; the connection used the checked address.
    assert lookups == ["rebind.example.com", "127.0.0.1"]
    assert seen == [f"rebind.example.com:{port}"]


def test_a_pinned_session_refuses_a_request_to_another_host():
    destination = destinations.Destination(
        url="https://hooks.example.com/", host="hooks.example.com", port=443, address=PUBLIC_IP
    )
    with (
        destinations.pinned_session(destination) as session,
        pytest.raises(requests.ConnectionError),
    ):
        session.get("https://other.example.com/", timeout=1)


def test_a_name_with_ipv4_and_ipv6_addresses_is_reached_over_ipv4(monkeypatch):
    monkeypatch.setitem(DNS, "dual.example.com", ["2606:4700:4700::1111", PUBLIC_IP])

    destination = destinations.destination_check("https://dual.example.com/hook")

    assert (destination.host, destination.port, destination.address) == (
        "dual.example.com",
        443,
        PUBLIC_IP,
    )
