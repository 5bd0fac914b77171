"""Dates and amounts as people write them in each language."""

import datetime

from django.utils import translation
from django.utils.formats import date_format

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
