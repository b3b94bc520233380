"""Honoraria for work done in engagement: attendance recorded as "took part" becomes an
honorarium for the session and its preparation time, and a proposal review submitted by an
expert becomes one review fee (payments.services.honoraria does the sums, once per session or
review and expert).

A task is enqueued when the attendance commits; if the broker was down, or no rate card
covered the day yet, the sweeper (`honoraria_create_due`, every five minutes) creates what is
missing. Both are safe to run any number of times: the database allows one honorarium per
session and expert."""

import logging
from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.enqueue import task_enqueue
from engagement.models import Attendance, ExpertProfile, PanelSession, ReviewAssignment
from payments.models import Honorarium
from payments.services.honoraria import NoRateCard, honorarium_create_for_work

logger = logging.getLogger(__name__)

ATTENDANCE_TASK = "engagement.tasks.honorarium_for_attendance"
REVIEW_TASK = "engagement.tasks.honorarium_for_review"
SWEEP_LIMIT = 500
MINUTES_PER_HOUR = Decimal(60)


def honorarium_enqueue_on_commit(attendance_id: int) -> None:
    """Ask for the honorarium once the attendance is committed (never fails the request)."""
    transaction.on_commit(partial(task_enqueue, ATTENDANCE_TASK, attendance_id), robust=True)


def review_honorarium_enqueue_on_commit(assignment_id: int) -> None:
    """Ask for the review fee once the submitted review is committed."""
    transaction.on_commit(partial(task_enqueue, REVIEW_TASK, assignment_id), robust=True)


def honorarium_for_attendance(*, attendance_id: int) -> bool:
    """Create the honorarium for one attendance if the expert took part in a session that was
    held and none exists yet. True if one was created."""
    attendance = (
        Attendance.objects.select_related("session", "expert__user")
        .filter(pk=attendance_id, attended=True, session__status=PanelSession.Status.SCHEDULED)
        .first()
    )
    if attendance is None:
        return False
    session, expert = attendance.session, attendance.expert
    try:
        _honorarium, created = honorarium_create_for_work(
            source_type=Honorarium.Source.ATTENDANCE,
            source_id=session.pk,
            payee=expert.user,
            payee_reference=expert.reference,
            work_date=timezone.localdate(session.starts_at),
            description=_("Panel session: %(title)s") % {"title": session.title},
            quantity=Decimal(session.duration_minutes) / MINUTES_PER_HOUR,
            preparation_hours=Decimal(session.prep_minutes) / MINUTES_PER_HOUR,
            method=expert.payment_method,
            right_to_work=expert.right_to_work,
        )
    except NoRateCard:
        # Ids only: the sweeper tries again once a card covers the day.
        logger.warning("No rate card for session %s; honorarium left to the sweeper", session.pk)
        return False
    return created


def attendances_without_honorarium():
    """Attendances that took part in a held session and have no honorarium yet."""
    honorarium = Honorarium.objects.filter(
        source_type=Honorarium.Source.ATTENDANCE,
        source_id=OuterRef("session_id"),
        payee_reference=OuterRef("expert__reference"),
    )
    return Attendance.objects.filter(
        attended=True, session__status=PanelSession.Status.SCHEDULED
    ).exclude(Exists(honorarium))


def _expert_reviews():
    return ReviewAssignment.objects.filter(
        status=ReviewAssignment.Status.SUBMITTED,
        reviewer__expert_profile__status__in=[
            ExpertProfile.Status.ACTIVE,
            ExpertProfile.Status.PAUSED,
        ],
    )


def honorarium_for_review(*, assignment_id: int) -> bool:
    """Create the review fee for one submitted review by an expert if none exists yet (a
    staff or academic reviewer without an expert profile is not paid here). True if one was
    created."""
    review = (
        _expert_reviews()
        .select_related("proposal", "reviewer__expert_profile")
        .filter(pk=assignment_id)
        .first()
    )
    if review is None:
        return False
    expert = review.reviewer.expert_profile
    try:
        _honorarium, created = honorarium_create_for_work(
            source_type=Honorarium.Source.REVIEW,
            source_id=review.pk,
            payee=review.reviewer,
            payee_reference=expert.reference,
            work_date=timezone.localdate(review.submitted_at),
            # The reference only: a payment line never names the team or organisation.
            description=_("Proposal review: %(reference)s")
            % {"reference": review.proposal.reference},
            quantity=Decimal(1),
            method=expert.payment_method,
            right_to_work=expert.right_to_work,
        )
    except NoRateCard:
        logger.warning("No rate card for review %s; honorarium left to the sweeper", review.pk)
        return False
    return created


def reviews_without_honorarium():
    """Submitted reviews by experts that have no honorarium yet."""
    honorarium = Honorarium.objects.filter(
        source_type=Honorarium.Source.REVIEW,
        source_id=OuterRef("pk"),
        payee_reference=OuterRef("reviewer__expert_profile__reference"),
    )
    return _expert_reviews().exclude(Exists(honorarium))


def honoraria_create_due() -> int:
    """The sweeper: create the honoraria whose task was lost (attendance recorded, or a review
    submitted, more than PAYMENTS_HONORARIUM_GRACE_SECONDS ago and still without one).
    Returns how many."""
    before = timezone.now() - timedelta(seconds=settings.PAYMENTS_HONORARIUM_GRACE_SECONDS)
    attendances = (
        attendances_without_honorarium()
        .filter(recorded_at__lte=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    reviews = (
        reviews_without_honorarium()
        .filter(submitted_at__lte=before)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    return sum(honorarium_for_attendance(attendance_id=pk) for pk in list(attendances)) + sum(
        honorarium_for_review(assignment_id=pk) for pk in list(reviews)
    )
