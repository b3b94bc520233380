"""Putting Celery tasks on the queue without ever failing the request that caused them.

Tasks are looked up by their registered name, so a service never imports a tasks module (which
imports the service). Every task Tandem enqueues this way has a database row behind it that a
periodic sweeper re-enqueues, so when the broker cannot be reached the work is only delayed:
publishing is tried briefly, then given up and logged."""

import logging

from celery import current_app

logger = logging.getLogger(__name__)

# kombu's default tries four times over about 0.6 s; a request cannot wait that long per task.
PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.05,
    "interval_max": 0.05,
}


def task_enqueue(name: str, *ids: int) -> bool:
    """Publish task `name` with primary keys as arguments; False (and a warning) if it could
    not be, in which case the task's sweeper picks the work up later."""
    try:
        current_app.tasks[name].apply_async(ids, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # a broker outage must never fail the caller
        # The class name only: broker errors can name hosts and URLs.
        logger.warning(
            "Task %s%s not enqueued (%s); left to the sweeper", name, ids, type(exc).__name__
        )
        return False
    return True
