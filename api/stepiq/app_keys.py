"""The application keys under which ``add_routes`` keeps the stepIQ surface's services.

    accounts = request.app[ACCOUNTS_KEY]      # emulator.accounts.Accounts
    pipelines = request.app[PIPELINES_KEY]    # emulator.pipelines.service.Pipelines
    schedules = request.app[SCHEDULES_KEY]    # emulator.schedules.Schedules
"""

from __future__ import annotations

from aiohttp import web

from emulator.accounts import Accounts
from emulator.pipelines.service import Pipelines
from emulator.schedules import Schedules

ACCOUNTS_KEY = web.AppKey("stepiq_accounts", Accounts)
PIPELINES_KEY = web.AppKey("stepiq_pipelines", Pipelines)
SCHEDULES_KEY = web.AppKey("stepiq_schedules", Schedules)
