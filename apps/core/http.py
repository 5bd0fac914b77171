def client_ip(request) -> str | None:
    """The caller's address. Behind the load balancer the first X-Forwarded-For hop is the
    client; deploy/ sets the proxy to overwrite that header, so it cannot be spoofed."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None
