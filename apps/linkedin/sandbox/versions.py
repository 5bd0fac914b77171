"""LinkedIn's API versions as dated facts: when each was released and when it is sunset.

Source: LinkedIn's migrations table (marketing/integrations/migrations and marketing/versioning,
as summarised in linkedin-api.md, "Additions and corrections (December 2026 review)"):

- 202510 is sunset on 2026-10-15 and 202511 on 2026-11-16 (days as published);
- 202601, 202602 and 202603 are active until January, February and March 2027 (the month is
  published, the day here is the 15th, like the sunsets above);
- there is no 202512 release;
- 202604 (adds member post metrics), 202605 (a breaking change to the Member Post Statistics
  API), 202606 and 202607 (the newest, released in August 2026) are active; each version is
  supported for at least a year, so their sunsets here are a year after release.

Release days are not in the material read; the 15th of the version's month is used (202607:
August 2026 as published). A version outside this table, or outside its dates on the
sandbox's clock, answers 426 NONEXISTENT_VERSION as LinkedIn does.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ApiVersion:
    name: str  # YYYYMM
    released: dt.date
    sunset: dt.date  # the first day it is no longer served

    def live_on(self, day: dt.date) -> bool:
        return self.released <= day < self.sunset


VERSIONS: tuple[ApiVersion, ...] = (
    ApiVersion("202510", dt.date(2025, 10, 15), dt.date(2026, 10, 15)),
    ApiVersion("202511", dt.date(2025, 11, 15), dt.date(2026, 11, 16)),
    ApiVersion("202601", dt.date(2026, 1, 15), dt.date(2027, 1, 15)),
    ApiVersion("202602", dt.date(2026, 2, 15), dt.date(2027, 2, 15)),
    ApiVersion("202603", dt.date(2026, 3, 15), dt.date(2027, 3, 15)),
    ApiVersion("202604", dt.date(2026, 4, 15), dt.date(2027, 4, 15)),
    ApiVersion("202605", dt.date(2026, 5, 15), dt.date(2027, 5, 15)),
    ApiVersion("202606", dt.date(2026, 6, 15), dt.date(2027, 6, 15)),
    ApiVersion("202607", dt.date(2026, 8, 1), dt.date(2027, 8, 1)),
)


def find(name: str, versions=VERSIONS) -> ApiVersion | None:
    return next((version for version in versions if version.name == name), None)


def live_versions(day: dt.date, versions=VERSIONS) -> list[ApiVersion]:
    return [version for version in versions if version.live_on(day)]
