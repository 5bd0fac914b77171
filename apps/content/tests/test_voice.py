"""Past posts: reading pastes and LinkedIn's Shares.csv, learning the style, storing them."""

import pytest

from apps.content.models import PastPost
from apps.content.voice import (
    ImportedPost,
    PastPostImportError,
    describe_style,
    parse_shares_csv,
    past_post_texts,
    past_posts_import,
    split_pasted_posts,
    style_for,
    style_from_texts,
    topic_ideas_from_past_posts,
)

SHARES_HEADER = "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"


def test_pasted_posts_split_on_dash_lines_and_keep_their_paragraphs():
    text = (
        "First post about Kubernetes upgrades.\n\nSecond paragraph of the first post.\n"
        "---\n"
        "Second post: why we moved off Jenkins.\n"
        "  -----  \n"
        "Third post, about on-call rotations and sleep."
    )
    posts = split_pasted_posts(text)
    assert posts == [
        "First post about Kubernetes upgrades.\n\nSecond paragraph of the first post.",
        "Second post: why we moved off Jenkins.",
        "Third post, about on-call rotations and sleep.",
    ]


def test_pasted_posts_without_dash_lines_split_on_two_empty_lines_not_one():
    text = (
        "Post one, first paragraph here.\n\nPost one, second paragraph.\n\n\n"
        "Post two is this one, alone.\r\n\r\n\r\n   \n"
    )
    assert split_pasted_posts(text) == [
        "Post one, first paragraph here.\n\nPost one, second paragraph.",
        "Post two is this one, alone.",
    ]


def test_shares_csv_reads_commentary_with_embedded_newlines_and_quotes():
    csv_text = (
        "\ufeff" + SHARES_HEADER + "2024-03-05 08:12:44,https://www.linkedin.com/feed/update/1,"
        '"We cut the EKS bill by 38%.\n\nThe ""quick win"" was idle dev clusters, '
        'not spot.\n\nWhat did your last review find?",,,MEMBER_NETWORK\r\n'
        "2024-02-01 10:00:00,https://www.linkedin.com/feed/update/2,,https://example.com,,"
        "MEMBER_NETWORK\n"
        '2024-01-10,https://www.linkedin.com/feed/update/3,"Short, plain post about Kafka '
        'consumer lag.",,,CONNECTIONS\n'
    )
    posts = parse_shares_csv(csv_text)
    assert [post.text for post in posts] == [
        'We cut the EKS bill by 38%.\n\nThe "quick win" was idle dev clusters, not spot.'
        "\n\nWhat did your last review find?",
        "Short, plain post about Kafka consumer lag.",
    ]
    assert posts[0].published_at.isoformat() == "2024-03-05T08:12:44+00:00"
    assert posts[1].published_at.isoformat() == "2024-01-10T00:00:00+00:00"


def test_shares_csv_tolerates_header_variants_and_linkedins_extra_quoting():
    # LinkedIn's export quotes the commentary once more inside the CSV cell: the cell reads
    # "Platform teams are ""products"", not ticket queues." with each line in its own quotes.
    csv_text = (
        "Created Date ,Share Link,Share Commentary,Visibility\n"
        '01/15/2024 09:30,https://lnkd.in/x,"""Platform teams are """"products"""", not '
        'ticket queues.""\n""""\n""Who owns yours?""",PUBLIC\n'
    )
    (post,) = parse_shares_csv(csv_text)
    assert post.text == 'Platform teams are "products", not ticket queues.\n\nWho owns yours?'
    assert (post.published_at.year, post.published_at.month) == (2024, 1)


def test_a_csv_without_a_commentary_column_names_the_columns_it_found():
    with pytest.raises(PastPostImportError) as error:
        parse_shares_csv("Name,Email\nAlice,alice@example.com\n")
    assert "ShareCommentary" in str(error.value)
    assert "Name, Email" in str(error.value)


def test_a_csv_with_an_unclosed_quote_is_refused_with_its_line_not_half_imported():
    csv_text = (
        SHARES_HEADER
        + '2024-01-01,https://x,"A post whose quote never closes\n'
        + ("more text, " * 400)
    )
    with pytest.raises(PastPostImportError) as error:
        parse_shares_csv(csv_text)
    assert "line" in str(error.value).lower()


def test_an_empty_csv_says_so():
    with pytest.raises(PastPostImportError, match="empty"):
        parse_shares_csv("  \n")


POSTS = [
    "Why do platform teams burn out?\n\nWe ran on-call for 12 engineers. Alerts were noise. "
    "We cut them by half.\n\nWhat is your alert budget? 🚀\n\n"
    "#Kubernetes #SRE #PlatformEngineering",
    "Is Kubernetes too much for a startup?\n\nOften, yes. A managed container service and "
    "good alerts go a long way.\n\nWhere did you draw the line?\n\n#Kubernetes #Startups",
    "Last year I migrated a bank to Kafka.\n\nThe hard part was not Kafka. It was the alerts "
    "nobody owned.\n\n#Kafka #Kubernetes",
]


def test_style_is_measured_from_the_posts():
    style = style_from_texts(POSTS)
    assert style.sample_size == 3
    assert style.median_length == sorted(len(post) for post in POSTS)[1]
    assert style.hashtags_per_post == pytest.approx(7 / 3, abs=0.01)
    assert style.typical_hashtags[0] == "#Kubernetes"
    assert style.opening_patterns[0] == "question"
    assert style.example_openers[0] == "Why do platform teams burn out?"
    assert style.closes_with_question == pytest.approx(0.67, abs=0.01)
    assert style.emoji_per_post == pytest.approx(0.33, abs=0.01)
    assert "alerts" in style.favourite_words
    assert "platform" not in style.favourite_words or "alerts" in style.favourite_words[:3]
    assert 3 < style.mean_sentence_words < 12
    assert style.language == "en"


def test_style_of_german_posts_is_german():
    style = style_from_texts(
        ["Wir haben die Kosten gesenkt, und das ist nicht schwer. Ich zeige, wie es geht."]
    )
    assert style.language == "de"


def test_no_posts_means_no_style():
    assert style_from_texts([]) is None
    assert style_from_texts(["  "]) is None


def test_style_in_words_names_length_rhythm_hashtags_and_openings():
    text = describe_style(style_from_texts(POSTS))
    assert text.startswith("Your posts: about ")
    assert "short sentences" in text
    assert "2 hashtags" in text
    assert "often open with a question" in text
    assert "usually end with a question" in text


def test_style_in_words_is_german_with_german_numbers_for_a_german_user():
    from django.utils import translation

    long_posts = ["Kurz. " * 250, "Auch kurz. " * 150]  # 1,500 and 1,650 chars, 550 words
    with translation.override("de"):
        text = describe_style(style_from_texts(long_posts))
    assert text.startswith("Ihre Posts: etwa 1.600 Zeichen, kurze Sätze (1,4 Wörter)")


def test_importing_stores_posts_once_even_with_other_white_space(alice, alice_workspace):
    first = past_posts_import(
        workspace=alice_workspace, author=alice, posts=POSTS[:2], source=PastPost.Source.PASTE
    )
    again = past_posts_import(
        workspace=alice_workspace,
        author=alice,
        posts=[ImportedPost(text=POSTS[0].replace("\n", "\r\n") + "  "), POSTS[2]],
        source=PastPost.Source.CSV,
    )
    assert (first.created, first.duplicates) == (2, 0)
    assert (again.created, again.duplicates) == (1, 1)
    assert PastPost.objects.filter(workspace=alice_workspace).count() == 3


def test_style_and_texts_are_per_workspace(alice, alice_workspace, charlie, charlie_workspace):
    past_posts_import(workspace=alice_workspace, author=alice, posts=POSTS, source="paste")
    assert style_for(workspace=charlie_workspace) is None
    assert past_post_texts(workspace=charlie_workspace) == []
    assert sorted(past_post_texts(workspace=alice_workspace)) == sorted(POSTS)
    assert style_for(workspace=alice_workspace, user=alice).sample_size == 3


def test_a_members_own_past_posts_win_and_posts_imported_for_them_count_otherwise(
    alice, bob, alice_workspace
):
    # Bob, Alice's assistant, imported her posts: her drafts still learn from them.
    past_posts_import(workspace=alice_workspace, author=bob, posts=POSTS[:2], source="paste")
    assert sorted(past_post_texts(workspace=alice_workspace, user=alice)) == sorted(POSTS[:2])
    # Once Alice imports her own, hers are the ones that count for her.
    past_posts_import(workspace=alice_workspace, author=alice, posts=POSTS[2:], source="paste")
    assert past_post_texts(workspace=alice_workspace, user=alice) == POSTS[2:]
    assert sorted(past_post_texts(workspace=alice_workspace, user=bob)) == sorted(POSTS[:2])


def test_topic_ideas_come_from_the_consultants_own_hashtags_and_words(alice, alice_workspace):
    past_posts_import(workspace=alice_workspace, author=alice, posts=POSTS, source="paste")
    ideas = topic_ideas_from_past_posts(workspace=alice_workspace)
    assert ideas[0] == "Kubernetes"
    written = " ".join(POSTS).lower()
    assert all(idea.replace(" ", "").lower() in written for idea in ideas)


def test_topic_ideas_skip_words_every_consultant_uses():
    style = style_from_texts(
        ["Our team fixed Terraform drift for the team.", "A team and Terraform modules again."]
    )
    assert "team" in style.favourite_words
    assert style.topic_ideas() == ["terraform"]


def test_topic_ideas_read_camel_case_hashtags_as_words():
    style = style_from_texts(POSTS)
    assert style.topic_ideas(limit=3) == ["Kubernetes", "SRE", "Platform Engineering"]


def test_the_engines_topic_ideas_include_what_the_past_posts_are_about():
    from dataclasses import replace

    from apps.content.generation import ProfileSnapshot, suggest_topics

    profile = ProfileSnapshot(
        name="Alice",
        headline="Cloud architect",
        areas=["AWS"],
        industries=[],
        offers=[],
        case_studies=[],
        years_experience=None,
        tone="direct",
        language="en",
    )
    without = suggest_topics(profile, count=40)
    with_style = suggest_topics(replace(profile, style=style_from_texts(POSTS)), count=40)
    assert "Platform Engineering" not in without
    assert "Platform Engineering" in with_style


def test_deleting_another_workspaces_past_post_is_refused(
    alice, alice_workspace, charlie_workspace
):
    from apps.content.voice import past_post_delete

    past_posts_import(workspace=alice_workspace, author=alice, posts=POSTS[:1], source="paste")
    post = PastPost.objects.get()
    with pytest.raises(ValueError, match="another workspace"):
        past_post_delete(workspace=charlie_workspace, past_post=post)
    assert PastPost.objects.filter(pk=post.pk).exists()
