from celery import shared_task

from engagement.services.experts import experts_resume_due as experts_resume_due_service


@shared_task(name="engagement.tasks.experts_resume_due")
def experts_resume_due() -> int:
    return experts_resume_due_service()
