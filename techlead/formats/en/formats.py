"""English dates that read the same in London and New York: the month as a word, the day
before it ("4 Dec 2026"), 24-hour times. Django's "en" wrote 12/04/2026 (which a British
reader takes for 12 April) and "11:36 a.m.", whose own period doubled at a sentence's end."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday, as the posting slots and the calendar
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
