"""Running the sandbox as its own process: a state file, HTTP controls, the command."""

from django.core.management import call_command

from apps.linkedin.sandbox import Clock, Sandbox, running_sandbox

from .conftest import http, post_body, rest_headers


def test_state_in_a_file_survives_a_restart(tmp_path):
    db_path = tmp_path / "linkedin-sandbox.sqlite3"
    with running_sandbox(Sandbox(db_path, seed=1)) as first:
        token = first.sandbox.issue_token()
        created = http.post(
            f"{first.api_base}/rest/posts", json=post_body("Kept"), headers=rest_headers(token)
        )
        urn = created.headers["x-restli-id"]

    with running_sandbox(Sandbox(db_path, seed=1)) as second:
        assert second.sandbox.post(urn)["commentary"] == "Kept"
        again = http.post(
            f"{second.api_base}/rest/posts", json=post_body("Kept"), headers=rest_headers(token)
        )
        assert again.status_code == 422  # the token and the earlier post are both remembered


def test_the_clock_tokens_and_posts_can_be_steered_over_http(start_sandbox):
    running = start_sandbox(clock=Clock(1_790_000_000, ticking=False))
    control = f"{running.base_url}/_sandbox"

    moved = http.post(f"{control}/clock", json={"advance_seconds": 3600}).json()
    token = http.post(f"{control}/tokens", json={"scopes": ["w_member_social"]}).json()
    created = http.post(
        f"{running.api_base}/rest/posts",
        json=post_body("Over HTTP"),
        headers=rest_headers(token["access_token"]),
    )
    post = http.get(f"{control}/posts/{created.headers['x-restli-id']}").json()
    cleared = http.delete(f"{control}/faults")

    assert moved == {"now": 1_790_003_600}
    assert created.status_code == 201
    assert post["commentary"] == "Over HTTP"
    assert post["comments"] == []
    assert cleared.status_code == 204


def test_the_command_serves_with_the_options_given(monkeypatch):
    served = {}
    monkeypatch.setattr(
        "apps.linkedin.management.commands.linkedin_sandbox.serve",
        lambda host, port, db, **options: served.update(host=host, port=port, db=db, **options),
    )

    call_command(
        "linkedin_sandbox", "--port", "8799", "--db", "var/x.sqlite3", "--speed", "60", "--partner"
    )

    assert served["port"] == 8799
    assert served["db"] == "var/x.sqlite3"
    assert served["config"].audience_speed == 60
    assert served["config"].partner is True
