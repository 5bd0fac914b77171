"""What the member writes is what LinkedIn publishes: escaping against the sandbox's reading."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apps.linkedin.client import (
    MENTION,
    RESERVED_CHARACTERS,
    LinkedInClient,
    escape_little_text,
)
from apps.linkedin.sandbox import SandboxConfig, running_sandbox
from apps.linkedin.sandbox.littletext import published_text

ME = "urn:li:person:sbxDanaDemo1"
TRICKY_CHARACTERS = [
    *"\\|{}@[]()<>#*_~",
    "\\\\",
    "a",
    " ",
    "\n",
    "#tag",
    "ä",
    "ß",
    "中文",
    "العربية",
    "привет",
    "😀",
    "👩‍💻",
    "{hashtag|\\#|k8s}",
]
mention_names = st.text(st.sampled_from([*"Ada Lovelace Müller 李", "😀"]), min_size=1)
mentions = st.builds(
    lambda name, kind, ident: f"@[{name}](urn:li:{kind}:{ident})",
    mention_names,
    st.sampled_from(["person", "organization"]),
    st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True),
)
pieces = st.one_of(
    st.sampled_from(TRICKY_CHARACTERS),
    mentions,
    st.text(max_size=8),  # anything at all, any script
)
user_texts = st.lists(pieces, min_size=1, max_size=25).map("".join)


@settings(max_examples=500, deadline=None)
@given(user_texts)
def test_escaped_text_reads_back_as_exactly_what_was_written(text):
    assert published_text(escape_little_text(text)) == text


def escaped_one_character_at_a_time(text: str) -> str:
    """The rule, spelled out: at each place a mention is kept whole, any other reserved
    character (backslash included) gets a backslash."""
    escaped, position = [], 0
    while position < len(text):
        mention = MENTION.match(text, position) if text[position] == "@" else None
        if mention:
            escaped.append(mention.group())
            position = mention.end()
        else:
            character = text[position]
            escaped.append("\\" + character if character in RESERVED_CHARACTERS else character)
            position += 1
    return "".join(escaped)


@settings(max_examples=500, deadline=None)
@given(user_texts)
def test_escaping_in_one_pass_follows_the_rule_character_by_character(text):
    assert escape_little_text(text) == escaped_one_character_at_a_time(text)


@pytest.fixture(scope="module")
def shared_linkedin():
    # One server for every example; duplicates allowed since examples may repeat texts.
    config = SandboxConfig(duplicate_window_seconds=0, daily_member_limit=10**9)
    with running_sandbox(seed=3, config=config) as running:
        yield running


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=user_texts)
def test_any_text_a_member_writes_is_published_exactly_as_written(shared_linkedin, text):
    assume(text.strip())
    sandbox = shared_linkedin.sandbox
    client = LinkedInClient(
        sandbox.issue_token(),
        oauth_base=shared_linkedin.oauth_base,
        api_base=shared_linkedin.api_base,
    )

    urn = client.create_post(ME, text)

    assert sandbox.post(urn)["commentary"] == text


def test_the_contracts_truncation_example_is_what_an_unescaping_client_would_get():
    assert published_text("Va al repo (durable)") == "Va al repo "
    assert published_text(escape_little_text("Va al repo (durable)")) == "Va al repo (durable)"


def test_a_mention_with_reserved_characters_in_the_name_is_escaped_as_plain_text():
    text = "@[Ada (ACME)](urn:li:person:1)"

    assert escape_little_text(text).startswith("\\@\\[Ada \\(ACME\\)\\]")
    assert published_text(escape_little_text(text)) == text
