from celery import shared_task

from core.services.outbox import Delivery
from core.services.outbox import email_deliver as email_deliver_service
from core.services.outbox import outbox_sweep as outbox_sweep_service


@shared_task(bind=True, name="core.tasks.email_deliver", max_retries=5)
def email_deliver(self, email_id: int) -> str:
    outcome = email_deliver_service(email_id=email_id)
    # In-process (embedded) mode has no broker to wait on; the sweeper retries instead.
    if outcome is Delivery.RETRY and not self.request.is_eager:
        raise self.retry(countdown=60 * 2**self.request.retries)
    return outcome.value


@shared_task(name="core.tasks.outbox_sweep")
def outbox_sweep() -> int:
    return outbox_sweep_service()
