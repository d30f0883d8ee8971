"""Schedules: cron triggers of pipelines, with IANA time zones, and the ticker that fires them.

  - ``cron``: five-field expressions parsed by hand; next fire times across DST changes;
  - ``service``: the ``schedules`` table (create, list, enable, disable, delete, upcoming);
  - ``ticker``: fires due schedules on the server's clock (virtual in tests).
"""

from __future__ import annotations

from emulator.schedules.cron import CronError, CronExpression, parse_cron, zone
from emulator.schedules.service import Schedules
from emulator.schedules.ticker import Ticker

__all__ = ["CronError", "CronExpression", "Schedules", "Ticker", "parse_cron", "zone"]
