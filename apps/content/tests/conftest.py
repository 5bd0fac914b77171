import pytest
from django.core.management import call_command


@pytest.fixture
def library(db):
    """The shared template library, loaded as `make run` and production load it."""
    call_command("load_post_templates", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def draft(alice, alice_workspace, library):
    from apps.content.services import post_create_manual

    return post_create_manual(
        workspace=alice_workspace,
        author=alice,
        text=(
            "We cut our AWS bill by 38% without touching a single feature.\n\n"
            "Three changes did it: rightsized node groups, spot for stateless work, and a "
            "hard look at idle environments.\n\nWhat did your last cost review find?"
        ),
    )
