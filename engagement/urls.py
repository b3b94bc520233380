from django.urls import path

from engagement.views import (
    calls,
    codesign,
    invitations,
    me,
    onboarding,
    panels,
    payments,
    requests,
    review,
    teams,
    time_zone,
)

urlpatterns = [
    path("join/", onboarding.join_start, name="join"),
    path("join/check/", onboarding.join_check, name="join_check"),
    path("join/submitted/", onboarding.join_submitted, name="join_submitted"),
    path(
        "join/payment/explained/", onboarding.join_payment_explained, name="join_payment_explained"
    ),
    path("join/<slug:slug>/", onboarding.join_step, name="join_step"),
    path("me/", me.me_dashboard, name="me"),
    path("me/profile/<slug:slug>/", me.me_profile_edit, name="me_profile_edit"),
    path("me/resubmit/", me.me_resubmit, name="me_resubmit"),
    path("me/pause/", me.me_pause, name="me_pause"),
    path("me/resume/", me.me_resume, name="me_resume"),
    path("me/leave/", me.me_leave, name="me_leave"),
    path("me/data/", me.me_data, name="me_data"),
    path("me/data.json", me.me_data_json, name="me_data_json"),
    path("me/delete/", me.me_delete, name="me_delete"),
    path("me/access-log/", me.me_access_log, name="me_access_log"),
    path("me/payments/", payments.me_payments, name="me_payments"),
    path("me/payments/statement/", payments.me_payment_statement, name="me_payment_statement"),
    path(
        "me/payments/statement.csv",
        payments.me_payment_statement_csv,
        name="me_payment_statement_csv",
    ),
    path("me/payments/expenses/new/", payments.me_expense_new, name="me_expense_new"),
    path(
        "me/payments/expenses/<int:pk>/withdraw/",
        payments.me_expense_withdraw,
        name="me_expense_withdraw",
    ),
    path(
        "me/payments/expenses/<int:pk>/receipt/",
        payments.me_expense_receipt,
        name="me_expense_receipt",
    ),
    path("me/invitations/<int:pk>/", invitations.me_invitation, name="me_invitation"),
    path("invitations/<str:token>/", invitations.invitation_respond, name="invitation_respond"),
    path("me/time-zone/", time_zone.me_time_zone, name="me_time_zone"),
    path("panels/<int:panel_id>/", panels.panel_detail, name="panel_detail"),
    path("panels/<int:panel_id>/sessions/new/", panels.session_new, name="session_new"),
    path("sessions/<int:session_id>/edit/", panels.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/cancel/", panels.session_cancel_view, name="session_cancel"),
    path("sessions/<int:session_id>/agenda/", panels.session_agenda, name="session_agenda"),
    path("sessions/<int:session_id>/notes/", panels.session_notes, name="session_notes"),
    path(
        "sessions/<int:session_id>/notes/approve/",
        panels.session_notes_approve,
        name="session_notes_approve",
    ),
    path(
        "sessions/<int:session_id>/attendance/",
        panels.session_attendance,
        name="session_attendance",
    ),
    path("sessions/<int:session_id>/debrief/", panels.session_debrief, name="session_debrief"),
    path("sessions/<int:session_id>/impact/", panels.session_impact, name="session_impact"),
    path("sessions/<int:session_id>/rating/", panels.session_rating, name="session_rating"),
    path("teams/new/", teams.team_new, name="team_new"),
    path("teams/<int:pk>/", teams.team_detail_view, name="team_detail"),
    path("teams/<int:pk>/invite/", teams.team_invite, name="team_invite"),
    path(
        "teams/<int:pk>/invitations/<int:invitation_id>/withdraw/",
        teams.team_invitation_withdraw,
        name="team_invitation_withdraw",
    ),
    # The token is a one-time secret: core.logging scrubs it from any path with /invitations/.
    path("teams/invitations/<str:token>/", teams.team_invitation, name="team_invitation"),
    path("panels/<int:pk>/suggest/", panels.panel_suggest, name="panel_suggest"),
    path("requests/new/", requests.request_new, name="request_new"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:pk>/submit/", requests.request_submit, name="request_submit"),
    path("requests/<int:pk>/withdraw/", requests.request_withdraw, name="request_withdraw"),
    path("review/", review.review_queue, name="review_queue"),
    path("review/<int:assignment_id>/", review.review_detail, name="review_detail"),
    path(
        "review/<int:assignment_id>/abstain/",
        review.review_abstain_view,
        name="review_abstain",
    ),
    path(
        "review/rounds/<int:round_id>/conflicts/",
        review.review_conflicts,
        name="review_conflicts",
    ),
    # Criteria co-design (issue 9, part E): the call's co-design panel and coordinators.
    path("co-design/<int:round_id>/", codesign.criteria_codesign, name="criteria_codesign"),
    path(
        "co-design/<int:round_id>/edit/",
        codesign.criteria_codesign_edit,
        name="criteria_codesign_edit",
    ),
    path(
        "co-design/<int:round_id>/comments/",
        codesign.criteria_comment,
        name="criteria_comment_add",
    ),
    path(
        "co-design/<int:round_id>/approve/", codesign.criteria_approve_view, name="criteria_approve"
    ),
    path("co-design/<int:round_id>/reopen/", codesign.criteria_reopen_view, name="criteria_reopen"),
    # Funding calls: /calls/ and /calls/<slug>/ are Wagtail's (cms.FundingCallIndexPage).
    path("calls/<slug:slug>/apply/", calls.call_apply, name="call_apply"),
    path("calls/<slug:slug>/proposals/", calls.call_proposals, name="call_proposals"),
    path("calls/<slug:slug>/proposals/<int:pk>/", calls.call_proposal, name="call_proposal"),
    path(
        "calls/<slug:slug>/proposals/<int:pk>/withdraw/",
        calls.call_proposal_withdraw,
        name="call_proposal_withdraw",
    ),
]
