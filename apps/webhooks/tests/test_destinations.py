"""The SSRF guard: webhooks go to public https addresses only, unless testing locally."""

import socket

import pytest
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


def test_debug_allows_local_addresses_too(settings):
    settings.DEBUG = True

    assert destinations.destination_problem("http://127.0.0.1:8001/hook") is None


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
