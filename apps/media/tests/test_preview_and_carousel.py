"""The feed preview's text and fold, and the carousel's slides: pure functions."""

import io
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from apps.media import carousel
from apps.media.preview import Segment, feed_previews, fold, rendered_segments


def test_reserved_characters_show_as_written_and_hashtags_as_plain_text():
    # The client escapes every reserved character, so LinkedIn shows them as typed, and an
    # escaped # is not a hashtag link.
    segments = rendered_segments("Va al repo (durable) #devops")
    assert segments == [Segment("text", "Va al repo (durable) #devops")]


def test_a_mention_is_shown_as_the_name():
    segments = rendered_segments("Thanks @[Devtestco](urn:li:organization:2414183)!")
    assert segments == [
        Segment("text", "Thanks "),
        Segment("mention", "Devtestco"),
        Segment("text", "!"),
    ]


def test_the_fold_comes_after_three_lines():
    shown, hidden = fold(rendered_segments("one\ntwo\nthree\nfour"), width="desktop")
    assert [s.text for s in shown] == ["one", "\n", "two", "\n", "three"]
    assert [s.text for s in hidden] == ["\n", "four"]


def test_the_fold_on_a_phone_comes_earlier_than_on_a_desktop_and_cuts_at_a_word():
    text = " ".join(["word"] * 60)  # 299 characters on one line
    phone, desktop = feed_previews(text)
    shown_phone = "".join(s.text for s in phone.shown)
    shown_desktop = "".join(s.text for s in desktop.shown)
    assert len(shown_phone) <= 140 < len(shown_desktop) <= 210
    assert shown_phone.endswith("word")
    assert shown_phone + " " + "".join(s.text for s in phone.hidden) == text


def test_a_short_post_has_no_fold():
    phone, desktop = feed_previews("Short.")
    assert phone.hidden == [] and desktop.hidden == []  # noqa: PT018


def test_points_come_from_numbered_lines_and_the_closing_question_is_kept_apart():
    hook, points, closing = carousel.post_points(
        "Three lessons.\n\n1. Small steps.\n2. Fast feedback.\n3) Own it.\n\n#devops #sre\n\n"
        "Which one do you skip?"
    )
    assert (hook, points, closing) == (
        "Three lessons.",
        ["Small steps.", "Fast feedback.", "Own it."],
        "Which one do you skip?",
    )


def test_no_slide_has_more_than_forty_words_and_no_word_is_lost():
    long_point = " ".join(f"w{i}." for i in range(95))
    chunks = carousel._chunks(long_point)
    assert all(len(chunk.split()) <= carousel.MAX_WORDS_PER_SLIDE for chunk in chunks)
    assert " ".join(chunks).split() == long_point.split()


@pytest.mark.django_db
def test_the_pdf_has_a_page_per_slide_in_the_workspaces_name(alice_workspace):
    post = SimpleNamespace(
        workspace=alice_workspace,
        text="Größe zählt nicht 🚀\n\nErstens: klein anfangen.\n\nZweitens: messen.\n\nUnd Sie?",
    )
    made = carousel.carousel_from_post(post=post, language="de")
    assert [slide.kind for slide in made.slides] == ["cover", "point", "point", "closing"]
    reader = PdfReader(io.BytesIO(carousel.render_pdf(made)))
    assert len(reader.pages) == 4
    cover = reader.pages[0].extract_text()
    assert "Größe zählt nicht" in cover  # umlauts kept; the emoji the font lacks left out
    assert "Alice Co" in cover
    assert len(carousel.render_thumbnails(made)) == 4
