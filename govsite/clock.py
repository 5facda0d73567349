"""The day a site is built for when none is given: today, in China Standard Time.

All of China keeps one time zone, UTC+8, without daylight saving: a date an editor
writes is a day in Beijing time, whatever the build machine's zone. A CI runner on UTC
building at 00:30 Beijing time is still on the day before; `date.today()` would build
the site for that day, and a policy that expired yesterday would show 有效 for 8 more hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))


def today() -> date:
    """Today's date in China Standard Time."""
    return datetime.now(CHINA_STANDARD_TIME).date()
