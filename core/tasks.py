from celery import shared_task

from core.services.outbox import email_deliver as email_deliver_service
from core.services.outbox import outbox_sweep as outbox_sweep_service


@shared_task(name="core.tasks.email_deliver")
def email_deliver(email_id: int) -> str:
    # No Celery retry: a failed attempt is rescheduled on the row and the sweeper enqueues it
    # again when it is due, so a task never waits in the broker.
    return email_deliver_service(email_id=email_id).value


@shared_task(name="core.tasks.outbox_sweep")
def outbox_sweep() -> int:
    return outbox_sweep_service()
