"""One table of URL x actor → expected status. Every feature adds its rows here.

Actors: anonymous, an expert, another expert, a researcher, another team's researcher, a
coordinator (who coordinates the expert's panel) and finance. `{name}` placeholders in URLs
are filled from the objects the `world` fixture creates. 302 from /admin/ for a staff member
means Wagtail's "no permission" redirect to the dashboard."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import URLPattern
from django.utils import timezone
from wagtail.models import Site

from cms.seed import site_seed
from engagement.models import (
    ConsentStatement,
    Invitation,
    Panel,
    PanelMembership,
    TeamInvitation,
    Topic,
)
from engagement.selectors.teams import team_token_hash
from engagement.services.invitations import token_hash
from payments.models import Honorarium
from tests.engagement import payment_helpers
from tests.factories import (
    advisory_request,
    coordinator,
    expert,
    finance,
    researcher,
    team,
)
from tests.factories import panel as panel_factory

ACTORS = (
    "anonymous",
    "expert",
    "other_expert",
    "researcher",
    "other_researcher",
    "coordinator",
    "other_coordinator",
    "finance",
)
ALL_200 = (200,) * 8
TOKEN = "Tandem-matrix-token-0123456789abcdefghijklm"

# fmt: off
MATRIX = [
    # url                                               anon exp  oexp res  ores coord ocoo fin
    ("/",                                              ALL_200),
    ("/about/",                                        ALL_200),
    ("/how-we-pay/",                                   ALL_200),
    ("/safeguarding/",                                 ALL_200),
    ("/healthz",                                       ALL_200),
    ("/accounts/login/",                               (200, 302, 302, 302, 302, 302, 302, 302)),
    ("/accounts/signup/",                              (200, 302, 302, 302, 302, 302, 302, 302)),
    ("/accounts/password/change/",                     (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/_util/login/",                                  (302, 302, 302, 302, 302, 302, 302, 302)),
    ("/admin/password_reset/",                         (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/accounts/2fa/",                                 (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/join/",                                         (200, 302, 302, 200, 200, 200, 200, 200)),
    ("/join/about/",                                   (302, 302, 302, 302, 302, 302, 302, 302)),
    ("/join/consents/",                                (302, 302, 302, 302, 302, 302, 302, 302)),
    ("/join/payment/explained/",                       (302, 302, 302, 302, 302, 302, 302, 302)),
    ("/join/check/",                                   (302, 302, 302, 302, 302, 302, 302, 302)),
    ("/join/submitted/",                               (302, 302, 302, 302, 302, 302, 302, 302)),
    ("/join/not-a-step/",                              (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/me/",                                           (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/me/profile/about/",                             (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/profile/payment/",                           (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/profile/not-a-step/",                        (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/me/pause/",                                     (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/leave/",                                     (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/resume/",                                    (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/me/resubmit/",                                  (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/me/data/",                                      (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/me/data.json",                                  (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/me/delete/",                                    (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/me/access-log/",                                (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/invitations/{invitation}/",                  (302, 200, 404, 404, 404, 404, 404, 404)),
    ("/me/invitations/999999/",                        (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/invitations/{token}/",                          (302, 200, 403, 403, 403, 403, 403, 403)),
    ("/invitations/not-a-token/",                      (404, 404, 404, 404, 404, 404, 404, 404)),
    ("/cy/invitations/{token}/",                       (302, 200, 403, 403, 403, 403, 403, 403)),
    ("/admin/",                                        (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/experts/",                                (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/experts/inspect/{expert}/",               (302, 403, 403, 403, 403, 200, 200, 200)),
    (
        "/admin/experts/inspect/{expert}/?show=access_needs",
        (302, 403, 403, 403, 403, 200, 302, 302),
    ),
    ("/admin/experts/inspect/{other}/?show=access_needs", (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/experts/inspect/{expert}/?show=legal_name", (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/experts/inspect/{expert}/?show=eligibility", (302, 403, 403, 403, 403, 302, 302, 200)),
    (
        "/admin/experts/inspect/{expert}/?show=expertise_notes",
        (302, 403, 403, 403, 403, 200, 200, 302),
    ),
    ("/admin/experts/inspect/{applicant}/",            (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/experts/inspect/{draft}/",                (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/experts/inspect/{draft}/?show=legal_name", (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/experts/inspect/999999/",                 (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/experts/results/",                         (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/panels/new/",                              (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/topics/new/",                              (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/topics/edit/{topic}/",                     (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/languages/new/",                           (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/consent-statements/inspect/{statement}/",  (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/consent-statements/edit/{statement}/",     (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/honoraria/results/",                       (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/panels/",                                 (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/panels/edit/{panel}/",                    (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/panels/inspect/{panel}/",                 (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/panels/copy/{panel}/",                    (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/panels/delete/{panel}/",                  (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/consent-statements/copy/{statement}/",    (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/topics/",                                 (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/languages/",                              (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/consent-statements/",                     (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/consent-statements/new/",                 (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/honoraria/",                              (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/honoraria/inspect/{honorarium}/",         (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/users/",                                  (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/outbound-emails/",                        (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/outbound-emails/results/",                (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/outbound-emails/inspect/999999/",         (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/outbound-emails/resend/999999/",          (302, 403, 403, 403, 403, 405, 405, 302)),
    ("/admin/settings/cms/sitesettings/{site}/",       (302, 403, 403, 403, 403, 200, 200, 302)),
    # Panel pages and sessions: {rpanel} is the researcher's team's request panel, the expert
    # a member; {upcoming} and {held} are its sessions (the expert took part in {held}).
    ("/me/time-zone/",                                 (302, 200, 200, 200, 200, 200, 200, 200)),
    # The expert's own payments: people without an expert profile have none (404), and an
    # item of somebody else's is "page not found" too.
    ("/me/payments/",                                  (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/payments/statement/",                        (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/payments/statement/?year=1999",              (302, 400, 400, 404, 404, 404, 404, 404)),
    ("/me/payments/statement.csv",                     (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/payments/expenses/new/",                     (302, 200, 200, 404, 404, 404, 404, 404)),
    ("/me/payments/expenses/{expense}/receipt/",       (302, 200, 404, 404, 404, 404, 404, 404)),
    ("/me/payments/expenses/{expense}/withdraw/",      (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/me/payments/expenses/999999/receipt/",          (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/panels/{panel}/",                               (302, 200, 404, 404, 404, 200, 404, 404)),
    ("/panels/{rpanel}/",                              (302, 200, 404, 200, 404, 200, 404, 404)),
    ("/panels/999999/",                                (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/panels/{rpanel}/sessions/new/",                 (302, 403, 404, 403, 404, 200, 404, 404)),
    ("/sessions/{upcoming}/edit/",                     (302, 403, 404, 403, 404, 200, 404, 404)),
    ("/sessions/{upcoming}/cancel/",                   (302, 403, 404, 403, 404, 200, 404, 404)),
    ("/sessions/{upcoming}/agenda/",                   (302, 403, 404, 403, 404, 200, 404, 404)),
    ("/sessions/{held}/notes/",                        (302, 403, 404, 403, 404, 200, 404, 404)),
    ("/sessions/{held}/notes/approve/",                (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/sessions/{held}/attendance/",                   (302, 403, 404, 403, 404, 200, 404, 404)),
    ("/sessions/{upcoming}/attendance/",               (302, 403, 404, 403, 404, 403, 404, 404)),
    ("/sessions/{held}/debrief/",                      (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/sessions/{held}/impact/",                       (302, 403, 404, 200, 404, 403, 404, 404)),
    ("/sessions/{upcoming}/impact/",                   (302, 403, 404, 403, 404, 403, 404, 404)),
    ("/sessions/{held}/rating/",                       (302, 200, 404, 403, 404, 403, 404, 404)),
    ("/sessions/999999/edit/",                         (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/admin/panel-ratings/{rpanel}/",                 (302, 403, 403, 403, 403, 200, 302, 302)),
    ("/admin/panel-ratings/999999/",                   (302, 403, 403, 403, 403, 404, 404, 404)),
    # Research teams and their requests: only the team's members, whatever their role.
    ("/teams/new/",                                    (302, 403, 403, 200, 200, 403, 403, 403)),
    ("/teams/{team}/",                                 (302, 404, 404, 200, 404, 404, 404, 404)),
    ("/teams/{team}/invite/",                          (302, 404, 404, 200, 404, 404, 404, 404)),
    ("/teams/999999/",                                 (302, 404, 404, 404, 404, 404, 404, 404)),
    (
        "/teams/{team}/invitations/{team_invitation}/withdraw/",
        (302, 405, 405, 405, 405, 405, 405, 405),
    ),
    # The invitation was sent to an address none of the actors has.
    ("/teams/invitations/{team_token}/",               (200, 403, 403, 403, 403, 403, 403, 403)),
    ("/teams/invitations/not-a-token/",                (404, 404, 404, 404, 404, 404, 404, 404)),
    # Only a panel's chair suggests experts for it (the expert here is an ordinary member).
    ("/panels/{panel}/suggest/",                       (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/panels/{chaired_panel}/suggest/",               (302, 404, 200, 404, 404, 404, 404, 404)),
    ("/requests/new/",                                 (302, 403, 403, 200, 200, 403, 403, 403)),
    ("/requests/{draft_request}/",                     (302, 404, 404, 200, 404, 404, 404, 404)),
    ("/requests/{draft_request}/edit/",                (302, 404, 404, 200, 404, 404, 404, 404)),
    ("/requests/{draft_request}/withdraw/",            (302, 404, 404, 200, 404, 404, 404, 404)),
    ("/requests/{draft_request}/submit/",              (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/requests/{sent_request}/",                      (302, 404, 404, 200, 404, 404, 404, 404)),
    ("/requests/999999/",                              (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/admin/advisory-requests/",                      (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/advisory-requests/results/",              (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/advisory-requests/inspect/{sent_request}/", (302, 403, 403, 403, 403, 200, 200, 302)),
    # A draft is the team's own until they send it (Wagtail looks the record up before it
    # checks the model permission, as for /admin/experts/inspect/999999/).
    ("/admin/advisory-requests/inspect/{draft_request}/", (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/advisory-requests/edit/{sent_request}/",  (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/advisory-requests/new/",                  (302, 403, 403, 403, 403, 404, 404, 404)),
    # Criteria co-design (issue 9, part E): the draft call's co-design panel (the expert is a
    # member, no actor chairs it) and any coordinator discuss; the panel's coordinator approves.
    ("/co-design/{codesign}/",                         (302, 200, 404, 404, 404, 200, 200, 404)),
    ("/co-design/{codesign}/edit/",                    (302, 200, 404, 404, 404, 200, 200, 404)),
    ("/co-design/{codesign}/comments/",                (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/co-design/{codesign}/approve/",                 (302, 403, 404, 404, 404, 200, 403, 404)),
    ("/co-design/{codesign}/reopen/",                  (302, 405, 405, 405, 405, 405, 405, 405)),
    ("/co-design/{round}/",                            (302, 404, 404, 404, 404, 200, 200, 404)),
    ("/co-design/{round}/edit/",                       (302, 404, 404, 404, 404, 302, 302, 404)),
    ("/co-design/999999/",                             (302, 404, 404, 404, 404, 404, 404, 404)),
    # Payments (staff): coordinators approve, Finance batches and pays; both see receipts.
    ("/admin/payments/approvals/",                     (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/payments/approvals/?status=paid&age=30",  (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/payments/expenses/{expense}/receipt/",    (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/payments/expenses/999999/receipt/",       (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/payments/batches/",                       (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/payments/batches/{batch}/",               (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/payments/batches/{batch}/export/",        (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/payments/batches/999999/",                (302, 403, 403, 403, 403, 302, 302, 404)),
    ("/admin/expenses/",                               (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/expenses/results/",                       (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/expenses/inspect/{expense}/",             (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/expenses/edit/{expense}/",                (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/rate-cards/",                             (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/rate-cards/new/",                         (302, 403, 403, 403, 403, 302, 302, 200)),
    ("/admin/rate-cards/inspect/{rate_card}/",         (302, 403, 403, 403, 403, 200, 200, 200)),
    ("/admin/rate-cards/edit/{rate_card}/",            (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/rate-cards/delete/{rate_card}/",          (302, 403, 403, 403, 403, 302, 302, 302)),
    # C1: funding calls and scoring rounds set up by coordinators (Finance: no access).
    ("/admin/calls/",                                  (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/results/",                          (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/new/",                              (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/inspect/{call}/",                   (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/inspect/999999/",                   (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/calls/edit/{c1_draft_call}/",             (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/edit/{call}/",                      (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/calls/copy/{call}/",                      (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/calls/delete/{call}/",                    (302, 403, 403, 403, 403, 404, 404, 404)),
    ("/admin/calls/open/{c1_draft_call}/",             (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/close/{call}/",                     (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/open/999999/",                      (302, 403, 403, 403, 403, 404, 404, 302)),
    ("/admin/calls/{call}/proposals/",                 (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/{call}/proposals/import/",          (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/proposals/sample.csv",              (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/proposals/{c1_document}/document/", (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/calls/proposals/{proposal}/document/",    (302, 403, 403, 403, 403, 404, 404, 302)),
    ("/admin/scoring-rounds/new/{c1_draft_call}/",     (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/scoring-rounds/new/{call}/",              (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/scoring-rounds/{round}/",                 (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/{round}/settings/",        (302, 403, 403, 403, 403, 302, 302, 302)),
    ("/admin/scoring-rounds/{c1_draft_round}/settings/", (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/{round}/reviewers/",       (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/{round}/conflicts/",       (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/999999/",                  (302, 403, 403, 403, 403, 404, 404, 302)),
    # Part B, reviewers' pages: everyone signed in has a queue (empty unless they review); a
    # review and a round's conflicts are the reviewer's own (the expert reviews {assignment}).
    ("/review/",                                       (302, 200, 200, 200, 200, 200, 200, 200)),
    ("/review/{assignment}/",                          (302, 200, 404, 404, 404, 404, 404, 404)),
    ("/review/{assignment}/abstain/",                  (302, 200, 404, 404, 404, 404, 404, 404)),
    ("/review/999999/",                                (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/review/rounds/{round}/conflicts/",              (302, 200, 404, 404, 404, 404, 404, 404)),
    ("/review/rounds/999999/conflicts/",               (302, 404, 404, 404, 404, 404, 404, 404)),
    # Part A, funding calls: the public pages (Wagtail's) and a research team's proposals.
    # {call_slug} is closed; {open_call} is open, {open_proposal} the researcher's team's to
    # it; a draft call is nobody's page. Only research team members submit (others: 403).
    ("/calls/",                                        ALL_200),
    ("/calls/{call_slug}/",                            ALL_200),
    ("/calls/{open_call}/",                            ALL_200),
    ("/cy/galwadau-cyllid/{open_call}/",               ALL_200),
    ("/calls/{draft_call}/",                           (404,) * 8),
    ("/calls/{open_call}/apply/",                      (302, 403, 403, 200, 200, 403, 403, 403)),
    ("/calls/{call_slug}/apply/",                      (302, 403, 403, 200, 200, 403, 403, 403)),
    ("/calls/{draft_call}/apply/",                     (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/calls/{open_call}/proposals/",                  (302, 403, 403, 200, 200, 403, 403, 403)),
    ("/calls/{open_call}/proposals/{open_proposal}/",  (302, 404, 404, 200, 404, 404, 404, 404)),
    (
        "/calls/{open_call}/proposals/{open_proposal}/withdraw/",
        (302, 404, 404, 200, 404, 404, 404, 404),
    ),
    ("/calls/{call_slug}/proposals/{proposal}/withdraw/", (302, 404, 404, 302, 404, 404, 404, 404)),
    ("/calls/{call_slug}/proposals/{other_proposal}/", (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/calls/{open_call}/proposals/{proposal}/",       (302, 404, 404, 404, 404, 404, 404, 404)),
    ("/calls/{open_call}/proposals/999999/",           (302, 404, 404, 404, 404, 404, 404, 404)),
    # Part C2: assigning reviewers, moderation and the round's export are for coordinators.
    ("/admin/scoring-rounds/{round}/assignment/",      (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/{round}/moderation/",      (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/{round}/export.csv",       (302, 403, 403, 403, 403, 200, 200, 302)),
    ("/admin/scoring-rounds/999999/assignment/",       (302, 403, 403, 403, 403, 404, 404, 404)),
]
# fmt: on


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"
    home = site_seed()
    the_coordinator = coordinator()
    the_expert = expert(expertise_notes="Interview design")
    other = expert()
    applicant = expert(status="applied")
    panel = Panel.objects.create(name="Housing panel")
    panel.coordinators.add(the_coordinator)
    PanelMembership.objects.create(panel=panel, expert=the_expert, started_on=date(2026, 1, 5))
    sent_at = timezone.now()
    invitation = Invitation.objects.create(
        panel=Panel.objects.create(name="Work panel", seats=2),
        expert=the_expert,
        status=Invitation.Status.SENT,
        send_requested_at=sent_at,
        sent_at=sent_at,
        expires_at=sent_at + timedelta(days=7),
        token_hash=token_hash(TOKEN),
    )
    invitation.panel.coordinators.add(the_coordinator)
    honorarium = Honorarium.objects.create(
        payee=the_expert.user,
        payee_reference=the_expert.reference,
        description="Panel session",
        amount=Decimal("60.00"),
        method="bank_transfer",
    )
    the_researcher, other_researcher = researcher(), researcher()
    research_team = team(members=[the_researcher])
    team(members=[other_researcher], name="Another study")
    team_token = "t" * 43
    team_invitation = TeamInvitation.objects.create(
        team=research_team,
        email="invited@example.org",
        token_hash=team_token_hash(team_token),
        invited_by=the_researcher,
        expires_at=timezone.now() + timedelta(days=7),
    )
    users = {
        "anonymous": None,
        "expert": the_expert.user,
        "other_expert": other.user,
        "researcher": the_researcher,
        "other_researcher": other_researcher,
        "coordinator": the_coordinator,
        # A coordinator too, but of none of these panels: only of a panel of their own.
        "other_coordinator": panel_factory(
            coordinators=[coordinator()], name="Somebody else's panel"
        ).coordinators.get(),
        "finance": finance(),
    }
    ids = {
        "expert": the_expert.pk,
        "other": other.pk,
        "applicant": applicant.pk,
        "draft": expert(status="draft").pk,
        "panel": panel.pk,
        "invitation": invitation.pk,
        "token": TOKEN,
        "honorarium": honorarium.pk,
        "expense": payment_helpers.expense(the_expert).pk,
        "site": Site.objects.get(root_page=home).pk,
        "topic": Topic.objects.create(name="Housing").pk,
        "statement": ConsentStatement.objects.get(kind="contact", version=1).pk,
        "chaired_panel": panel_factory(chairs=[other], name="Chaired panel").pk,
        "team": research_team.pk,
        "team_invitation": team_invitation.pk,
        "team_token": team_token,
        "draft_request": advisory_request(research_team=research_team).pk,
        "sent_request": advisory_request(research_team=research_team, status="submitted").pk,
    }
    ids.update(_sessions_world(users, member=the_expert))
    ids.update(_payments_world(users, payee=the_expert))
    ids.update(_scoring_world(users, reviewer=the_expert, research_team=research_team))
    ids.update(_c1_world(users, call_id=ids["call"]))
    ids.update(_codesign_world(users, member=the_expert))
    ids.update(_calls_world(users, research_team=research_team))
    return SimpleNamespace(users=users, ids=ids)


def _payments_world(users, *, payee) -> dict:
    """A rate card, an expense claim of the expert's, and a batch Finance built."""
    from payments.services.batches import batch_create
    from payments.services.honoraria import honorarium_approve
    from tests.payments.core_helpers import expense_for, honorarium_for, rate_card

    card = rate_card(date(2026, 1, 1))
    claim = expense_for(payee)
    item = honorarium_for(payee, source_id=424242)
    honorarium_approve(honorarium_id=item.pk, by=users["other_coordinator"])
    batch = batch_create(by=users["finance"], honorarium_ids=[item.pk])
    return {"rate_card": card.pk, "expense": claim.pk, "batch": batch.pk}


def _scoring_world(users, *, reviewer, research_team) -> dict:
    """A closed call with two proposals, one from the researcher's team, and its round in the
    scoring phase: the expert reviews the team's proposal; the other expert is no reviewer."""
    from engagement.models import ReviewAssignment
    from tests.factories import funding_call, proposal, round_reviewer, scoring_round

    call = funding_call(status="closed", slug="matrix-call")
    the_round = scoring_round(call=call, criteria_status="approved", phase="scoring")
    own = proposal(call=call, research_team=research_team)
    other = proposal(call=call)
    round_reviewer(of_round=the_round, user=reviewer.user, group="lived_experience")
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=own, reviewer=reviewer.user
    )
    return {
        "call": call.pk,
        "call_slug": call.slug,
        "round": the_round.pk,
        "proposal": own.pk,
        "other_proposal": other.pk,
        "assignment": assignment.pk,
    }


def _sessions_world(users, *, member) -> dict:
    """A request panel of the researcher's team (another team for the other researcher), with
    an upcoming session and one held, which the expert attended and the team reported on."""
    from engagement.models import Attendance, ImpactRecord
    from tests.factories import advisory_request, panel, panel_session, team

    team(members=[users["other_researcher"]], name="Other team")
    request = advisory_request(research_team=team(members=[users["researcher"]]))
    request_panel = panel(
        coordinators=[users["coordinator"]], members=[member], request=request, name="Request"
    )
    upcoming = panel_session(of_panel=request_panel)
    held = panel_session(of_panel=request_panel, days_ahead=-3, title="Held")
    Attendance.objects.create(session=held, expert=member, attended=True)
    ImpactRecord.objects.create(session=held, heard="Fewer questions", changed="Cut to ten")
    return {"rpanel": request_panel.pk, "upcoming": upcoming.pk, "held": held.pk}


def test_authorization_matrix(client, world):
    """Every row against one world: building it per row cost more than all the requests. A GET
    changes nothing, so the rows cannot affect each other; every mismatch is reported at once."""
    mismatches = []
    for url, row in MATRIX:
        expected = dict(zip(ACTORS, row, strict=True))
        actual = {}
        for actor in ACTORS:
            client.logout()
            if world.users[actor] is not None:
                client.force_login(world.users[actor])
            actual[actor] = client.get(url.format(**world.ids)).status_code
        if actual != expected:
            wrong = {a: f"{expected[a]}→{actual[a]}" for a in ACTORS if actual[a] != expected[a]}
            mismatches.append(f"{url}: {wrong}")

    assert mismatches == []


def _project_routes() -> set[str]:
    """Every route the project's own apps define (not allauth's or Wagtail's)."""
    from engagement import urls as engagement_urls

    return {
        "/" + str(pattern.pattern)
        for pattern in engagement_urls.urlpatterns
        if isinstance(pattern, URLPattern)
    } | {"/healthz"}


def test_every_project_route_is_in_the_matrix():
    covered = {url.split("?")[0] for url, _row in MATRIX}

    def matches(route: str) -> bool:
        prefix = route.split("<")[0]
        return any(url == route or (url.startswith(prefix) and "<" in route) for url in covered)

    missing = sorted(route for route in _project_routes() if not matches(route))
    assert missing == []


def _c1_world(users, *, call_id) -> dict:
    """A draft call with its round in set-up, and a proposal of the closed call with a PDF."""
    from django.core.files.base import ContentFile

    from tests.factories import funding_call, proposal, scoring_round

    draft = funding_call(slug="matrix-draft-call")
    draft_round = scoring_round(call=draft)
    with_document = proposal(call=draft)
    with_document.attachment.save("p.pdf", ContentFile(b"%PDF-1.7\n"))
    return {
        "c1_draft_call": draft.pk,
        "c1_draft_round": draft_round.pk,
        "c1_document": with_document.pk,
    }


def _codesign_world(users, *, member) -> dict:
    """A draft call whose criteria a panel is drafting: the expert is a member of the panel,
    the coordinator coordinates it; nobody among the actors chairs it."""
    from tests.factories import funding_call, panel, scoring_round

    co_design = panel(coordinators=[users["coordinator"]], members=[member], name="Co-design")
    call = funding_call(co_design_panel=co_design, slug="matrix-codesign-call")
    return {"codesign": scoring_round(call=call).pk}


def _calls_world(users, *, research_team) -> dict:
    """Part A: an open call with a proposal of the researcher's team, and a draft call."""
    from tests.factories import funding_call, proposal

    open_call = funding_call(status="open", slug="matrix-open")
    return {
        "open_call": open_call.slug,
        "open_proposal": proposal(call=open_call, research_team=research_team).pk,
        "draft_call": funding_call(status="draft", slug="matrix-draft").slug,
    }
