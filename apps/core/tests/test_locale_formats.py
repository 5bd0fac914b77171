"""Dates and amounts as people write them in each language."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from apps.content.models import PastPost
from apps.core.locale import english_region
from apps.core.templatetags.euros import format_euros

DAY = datetime.date(2026, 12, 8)


def test_english_dates_put_the_day_before_a_named_month():
    with translation.override("en"):
        assert date_format(DAY) == "8 Dec 2026"
        assert date_format(DAY, "SHORT_DATE_FORMAT") == "8 Dec 2026"
        assert date_format(datetime.time(11, 36), "TIME_FORMAT") == "11:36"  # no "a.m.."


def test_german_dates_have_the_period_after_the_day():
    with translation.override("de"):
        assert date_format(DAY) == "8. Dezember 2026"
        assert date_format(DAY, "MONTH_DAY_FORMAT") == "8. Dez"


def test_euros_follow_the_language():
    with translation.override("en"):
        assert format_euros(12000) == "€12,000"
    with translation.override("de"):
        assert format_euros(12000) == "12.000\u00a0€"


# --- English in the order of the browser's region ------------------------------------------

US_DAY = "Dec 8, 2026"
UK_DAY = "8 Dec 2026"


@pytest.mark.parametrize(
    ("accept_language", "region"),
    [
        ("en-US,en;q=0.9", "US"),
        ("en-gb", "GB"),
        ("de-DE,de;q=0.9,en-US;q=0.8", "US"),  # the English it prefers, though after German
        ("en-AU;q=0.5,en-US;q=0.7", "US"),  # by quality, not by position
        ("en", None),
        ("fr-FR,de", None),
        ("en-US;q=0,en-IE", "IE"),  # q=0 means "not this one"
        ("en-419", None),  # a region that is no country
        ("", None),
    ],
)
def test_the_region_of_the_browsers_preferred_english_is_read(accept_language, region):
    assert english_region(accept_language) == region


def test_us_english_puts_the_month_first_in_named_and_written_out_formats():
    with translation.override("en-us"):
        assert date_format(DAY) == US_DAY
        assert date_format(DAY, "SHORT_DATE_FORMAT") == US_DAY
        assert date_format(DAY, "MONTH_DAY_FORMAT") == "Dec 8"
        # A format written out in a template is turned month-first.
        written_out = Template('{% load i18n %}{{ day|regional_date:_("j M Y") }}')
        assert written_out.render(Context({"day": DAY})) == US_DAY
        assert translation.gettext("Published") == "Published"  # the rest is plain English


def _past_post_dates(client, workspace, **headers) -> str:
    page = client.get(reverse("past_posts", args=[workspace.slug]), **headers)
    return page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "shown"),
    [
        ("en-US,en;q=0.9", US_DAY),
        ("en-GB,en;q=0.9", UK_DAY),
        ("en-IE", UK_DAY),
        ("en-AU,en;q=0.8", UK_DAY),
        ("en-IN", UK_DAY),
        ("en", UK_DAY),
        ("de-DE,de;q=0.9,en-US;q=0.5", "08.12.2026"),  # German as before
    ],
)
def test_a_page_shows_dates_in_the_order_of_the_browsers_region(
    alice_client, alice_workspace, accept_language, shown
):
    PastPost.objects.create(
        workspace=alice_workspace,
        text="Why do platform teams burn out?",
        published_at=datetime.datetime(2026, 12, 8, 12, tzinfo=datetime.UTC),
    )
    html = _past_post_dates(alice_client, alice_workspace, HTTP_ACCEPT_LANGUAGE=accept_language)
    assert f"<td>{shown}</td>" in html


@pytest.mark.django_db
def test_the_language_menu_still_marks_english_for_a_us_browser(alice_client, alice_workspace):
    html = _past_post_dates(alice_client, alice_workspace, HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<option value="en" selected>' in html
    assert '<html lang="en-us">' in html  # which is what the page is written in


def test_plain_english_keeps_the_day_first_in_written_out_formats():
    # Python's gettext expands "en" to "en_US" first: a catalogue there would have turned
    # every English reader's dates month-first.
    with translation.override("en"):
        written_out = Template('{% load i18n %}{{ day|regional_date:_("j M Y") }}')
        assert written_out.render(Context({"day": DAY})) == UK_DAY


def test_every_date_format_written_out_in_a_template_has_its_us_order():
    """A date format written out in a template goes through `regional_date`, and each one it
    is given has its month-first order: otherwise American readers get day-first dates."""
    import re
    from pathlib import Path

    from django.conf import settings

    from apps.core.locale import MONTH_FIRST_FORMATS

    written_out, unregional = set(), []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        written_out |= set(re.findall(r'regional_date:_\("([^"]+)"\)', text))
        unregional += [f"{template.name}: {m}" for m in re.findall(r'\|date:_\("[^"]+"\)', text)]
    assert written_out
    assert unregional == []
    assert written_out <= set(MONTH_FIRST_FORMATS), written_out - set(MONTH_FIRST_FORMATS)
