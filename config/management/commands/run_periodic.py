"""Run Celery beat's schedule in-process, for embedded mode where there is no beat or worker.

Like pretalx's `runperiodic`: `make run` starts this beside the development server so that
reminders and sweeps happen without Redis. In production, `celery beat` does this job.
"""

import logging
import time
from datetime import timedelta

from celery.schedules import schedule as celery_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from config.celery import app

logger = logging.getLogger(__name__)


def _as_schedule(value):
    if isinstance(value, (int, float)):
        return celery_schedule(timedelta(seconds=value))
    if isinstance(value, timedelta):
        return celery_schedule(value)
    return value


class Command(BaseCommand):
    help = "Run the periodic tasks from CELERY_BEAT_SCHEDULE in this process, every minute."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every task once and exit.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between checks.")

    def handle(self, *args, once: bool, interval: float, **options):
        app.loader.import_default_modules()  # registers every app's tasks, as a worker would
        entries = {
            name: (entry["task"], _as_schedule(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last_run = dict.fromkeys(entries)
        while True:
            for name, (task_name, sched) in entries.items():
                if last_run[name] is None or sched.is_due(last_run[name]).is_due:
                    last_run[name] = timezone.now()
                    self._run(name, task_name)
            if once:
                return
            time.sleep(interval)

    def _run(self, name: str, task_name: str) -> None:
        try:
            result = app.tasks[task_name].apply(throw=True)
            self.stdout.write(f"{timezone.now():%H:%M:%S} {name}: {result.result}")
        except Exception:
            # One failing job must not stop the others from running next minute.
            logger.exception("Periodic task %s failed", name)
