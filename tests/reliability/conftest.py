"""The `reliability` marker, registered here as well as in pyproject.toml so that this folder
runs under --strict-markers on its own (registering a marker twice is harmless)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "reliability: publishing under faults with a real worker process (PostgreSQL and Redis)",
    )
