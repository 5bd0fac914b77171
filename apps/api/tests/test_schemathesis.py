"""Schemathesis reads the schema from a live server and sends requests generated from it,
signed in with a real token for a workspace with data in it: no 5xx, and every answer
matches the schema (status code, content type, headers, body).

Each operation gets valid requests and invalid ones (wrong types, missing fields, values out
of range), ten of each, derandomized: the same requests on every run.

(schemathesis.pytest.from_fixture would do the looping, but it relies on a pytest internal
that pytest 9.2 no longer has; the loop below uses schemathesis's plain Python API.)"""

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from apps.accounts.models import Membership, Role
from apps.content.models import PostingSlot
from apps.content.services import post_approve, post_create_manual
from apps.notifications.services import notify

from .conftest import make_lead, token_client

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

EXAMPLES = 10  # per operation and mode


@pytest.fixture
def api_schema(live_server, settings, alice, alice_workspace, charlie_workspace):
    # Rows with small ids (reset_sequences), so generated ids sometimes hit real ones.
    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for n in range(3):
        post = post_create_manual(
            workspace=alice_workspace,
            author=alice,
            text=f"Lesson {n}: the migration was never the hard part.\n\nWhat was yours?",
        )
    post_approve(
        post=post, membership=Membership.objects.get(user=alice, workspace=alice_workspace)
    )
    PostingSlot.objects.create(workspace=alice_workspace, weekday=1, local_time="08:30")
    make_lead(alice_workspace, name="Hannah", score=91)
    notify(workspace=alice_workspace, event="post.failed", title="A post failed", users=[alice])
    _, secret = token_client(alice, alice_workspace, role=Role.OWNER)
    # Generated requests come fast; the limits have their own tests.
    framework = dict(settings.REST_FRAMEWORK)
    framework["DEFAULT_THROTTLE_RATES"] = {
        "token": "100000/hour",
        "user": "100000/hour",
        "sign_in": "100000/hour",
    }
    settings.REST_FRAMEWORK = framework
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    return schema, {"Authorization": f"Bearer {secret}"}


def check_operation(operation, mode: GenerationMode, headers: dict) -> None:
    path_parameters = (
        {"workspace_slug": "alice-co"} if "{workspace_slug}" in operation.path else None
    )

    strategy = operation.as_strategy(
        generation_mode=mode, path_parameters=path_parameters, headers=headers
    )

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as is
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, timeout=20)

    run()


def test_the_api_keeps_to_its_schema(api_schema):
    schema, headers = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                check_operation(operation, mode, headers)
            except Unsatisfiable:
                pass  # nothing to get wrong: no parameters and no body (GET /me/, say)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # every problem in one run, not just the first
                failures.append(f"{mode.value} {operation.label}: {error}")
    assert failures == [], "\n\n".join(failures)
