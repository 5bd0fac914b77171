"""English as written in the United States (and the few regions that also put the month
first): "Dec 8, 2026". Used when the browser asks for en-US (apps/core/locale.py); every other
English reader gets techlead/formats/en ("8 Dec 2026"), from which the rest is inherited.
Formats written out in templates (`date:_("j M Y")`) are swapped by the en_US catalogue in
locale/en_US."""

DATE_FORMAT = "M j, Y"
SHORT_DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, H:i"
SHORT_DATETIME_FORMAT = "M j, Y, H:i"
MONTH_DAY_FORMAT = "M j"
