from celery import shared_task

from engagement.services.calls import calls_close_due as calls_close_due_service
from engagement.services.experts import experts_resume_due as experts_resume_due_service
from engagement.services.honoraria import honoraria_create_due as honoraria_create_due_service
from engagement.services.honoraria import (
    honorarium_for_attendance as honorarium_for_attendance_service,
)
from engagement.services.honoraria import honorarium_for_review as honorarium_for_review_service
from engagement.services.invitations import invitation_send as invitation_send_service
from engagement.services.invitations import (
    invitations_expire_due as invitations_expire_due_service,
)
from engagement.services.invitations import (
    invitations_remind_due as invitations_remind_due_service,
)
from engagement.services.invitations import invitations_send_due as invitations_send_due_service
from engagement.services.scoring import reviews_remind_due as reviews_remind_due_service


@shared_task(name="engagement.tasks.experts_resume_due")
def experts_resume_due() -> int:
    return experts_resume_due_service()


@shared_task(name="engagement.tasks.invitation_send")
def invitation_send(invitation_id: int) -> bool:
    # No Celery retry: an invitation this task failed to send stays "to send" on its row, and
    # the sweeper sends it.
    return invitation_send_service(invitation_id=invitation_id)


@shared_task(name="engagement.tasks.invitations_send_due")
def invitations_send_due() -> int:
    return invitations_send_due_service()


@shared_task(name="engagement.tasks.invitations_remind_due")
def invitations_remind_due() -> int:
    return invitations_remind_due_service()


@shared_task(name="engagement.tasks.invitations_expire_due")
def invitations_expire_due() -> int:
    return invitations_expire_due_service()


@shared_task(name="engagement.tasks.honorarium_for_attendance")
def honorarium_for_attendance(attendance_id: int) -> bool:
    # No Celery retry: an attendance this task missed has no honorarium, and the sweeper
    # creates it.
    return honorarium_for_attendance_service(attendance_id=attendance_id)


@shared_task(name="engagement.tasks.honoraria_create_due")
def honoraria_create_due() -> int:
    return honoraria_create_due_service()


@shared_task(name="engagement.tasks.honorarium_for_review")
def honorarium_for_review(assignment_id: int) -> bool:
    # No Celery retry: the sweeper creates a review fee this task missed.
    return honorarium_for_review_service(assignment_id=assignment_id)


@shared_task(name="engagement.tasks.calls_close_due")
def calls_close_due() -> int:
    return calls_close_due_service()


@shared_task(name="engagement.tasks.reviews_remind_due")
def reviews_remind_due() -> int:
    return reviews_remind_due_service()
