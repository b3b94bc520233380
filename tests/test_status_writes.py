"""No generic form or admin view can write a status or an access-granting relation: they
change only through declared transitions (core.transitions) and the services around them.

The walk covers every model with a status field, every Wagtail admin viewset and every
ModelForm the project defines; the behaviour tests post forged fields to the views that
remain."""

import importlib
import pkgutil
from datetime import date

import pytest
from django import forms
from django.apps import apps
from django.urls import get_resolver
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets import viewsets as admin_viewsets

from core.models import AuditEvent
from core.transitions import guarded_fields, guarded_models, machine_for, state_machines
from engagement.models import (
    AdvisoryRequest,
    ConsentStatement,
    ExpertProfile,
    FundingCall,
    Invitation,
    Panel,
    PanelMembership,
    PanelSession,
    Proposal,
    ReviewAssignment,
    ScoringRound,
    SessionNote,
    TeamInvitation,
)
from payments.models import Expense, Honorarium, PaymentBatch
from tests.factories import coordinator, expert

PROJECT_APPS = ("core", "accounts", "engagement", "payments", "cms")


def project_models():
    return [
        model
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.abstract
    ]


def test_every_model_with_a_status_declares_its_transitions():
    with_status = {
        model for model in project_models() if "status" in {f.name for f in model._meta.fields}
    }

    assert with_status == {
        ExpertProfile,
        Honorarium,
        AdvisoryRequest,
        TeamInvitation,
        Invitation,
        PanelSession,
        SessionNote,
        Expense,
        PaymentBatch,
        FundingCall,
        Proposal,
        ReviewAssignment,
    }
    assert with_status <= set(state_machines())
    for model in with_status:
        machine = state_machines()[model]
        declared = {state for t in machine.transitions.values() for state in t.source | t.targets}
        status_choices = {value for value, _label in model._meta.get_field("status").choices}
        # Every state is reachable or left by a declared transition, and no declaration names
        # a state the field cannot hold.
        assert declared <= status_choices
        assert status_choices - declared <= {model._meta.get_field("status").default}


def test_a_scoring_rounds_phase_and_criteria_approval_are_each_a_declared_machine():
    phase = machine_for(ScoringRound, "start_scoring")
    criteria = machine_for(ScoringRound, "approve_criteria")

    assert (phase.field, criteria.field) == ("phase", "criteria_status")
    assert guarded_fields(ScoringRound) == {"phase", "criteria_status"}
    for machine in (phase, criteria):
        declared = {state for t in machine.transitions.values() for state in t.source | t.targets}
        choices = {value for value, _label in ScoringRound._meta.get_field(machine.field).choices}
        assert declared == choices


def _admin_form_views():
    """(viewset, view class, is_update) for every create/edit view any admin viewset serves."""
    get_resolver().url_patterns  # noqa: B018 - loading the URLconf registers the viewsets
    found = []
    for viewset in admin_viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if model is None:
            continue
        for pattern in viewset.get_urlpatterns():
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class and issubclass(view_class, (CreateView, EditView)):
                found.append((viewset, view_class, issubclass(view_class, EditView)))
    return found


def test_the_walk_finds_the_admin_forms():
    names = {(viewset.name, update) for viewset, _view, update in _admin_form_views()}

    assert {("panels", False), ("panels", True), ("consent-statements", False)} <= names
    assert ("experts", True) not in names
    assert ("honoraria", True) not in names


def test_no_admin_form_can_write_a_guarded_field():
    offending = []
    for viewset, _view, update in _admin_form_views():
        guarded = guarded_fields(viewset.model)
        if not guarded:
            continue
        form_class = viewset.get_form_class(for_update=update)
        writable = set(form_class.base_fields) | set(getattr(form_class, "formsets", {}) or {})
        if writable & guarded:
            offending.append((viewset.name, sorted(writable & guarded)))

    assert offending == []


def _project_modelforms():
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".tests" not in module.name:
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return [
        form
        for form in subclasses(forms.ModelForm)
        if form.__module__.split(".")[0] in PROJECT_APPS and getattr(form._meta, "model", None)
    ]


def test_no_project_modelform_can_write_a_guarded_field():
    offending = [
        (form.__qualname__, sorted(set(form.base_fields) & guarded_fields(form._meta.model)))
        for form in _project_modelforms()
        if form._meta.model in guarded_models()
        and set(form.base_fields) & guarded_fields(form._meta.model)
    ]

    assert offending == []


# Behaviour: forged fields posted to the admin's remaining generic views change nothing.


@pytest.fixture
def lead(client, db):
    user = coordinator()
    client.force_login(user)
    return user


def test_creating_a_panel_ignores_forged_coordinators_and_members(client, lead):
    other = coordinator()
    member = expert(status="active")

    response = client.post(
        "/admin/panels/new/",
        {
            "name": "Forged",
            "description": "",
            "coordinators": [other.pk],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-expert": member.pk,
            "memberships-0-role": "chair",
            "memberships-0-started_on": "2026-01-01",
        },
    )

    assert response.status_code == 302
    panel = Panel.objects.get(name="Forged")
    assert list(panel.coordinators.all()) == [lead]
    assert not PanelMembership.objects.exists()
    assert list(AuditEvent.objects.filter(panel=panel).values_list("action", "actor", "extra")) == [
        ("panel.coordinator_add", lead.pk, {"user_id": lead.pk}),
        ("panel.create", lead.pk, {}),
    ]


def test_editing_a_panel_cannot_add_coordinators_or_members(client, lead):
    panel = Panel.objects.create(name="Housing")
    member = expert(status="active")

    response = client.post(
        f"/admin/panels/edit/{panel.pk}/",
        {
            "name": "Housing, renamed",
            "description": "",
            "coordinators": [lead.pk],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-expert": member.pk,
            "memberships-0-started_on": "2026-01-01",
        },
    )

    assert response.status_code == 302
    panel.refresh_from_db()
    assert panel.name == "Housing, renamed"
    assert not panel.coordinators.exists()
    assert not PanelMembership.objects.exists()


def test_copying_is_not_offered_for_any_admin_model(client, lead):
    statement = ConsentStatement.objects.get(kind="contact", version=1)
    panel = Panel.objects.create(name="Housing")

    assert client.get(f"/admin/consent-statements/copy/{statement.pk}/").status_code == 404
    response = client.post(
        f"/admin/consent-statements/copy/{statement.pk}/",
        {"kind": "contact", "title": "Changed", "text": "Words nobody agreed to."},
    )
    assert response.status_code == 404
    assert client.post(f"/admin/panels/copy/{panel.pk}/", {"name": "Copy"}).status_code == 404
    statement.refresh_from_db()
    assert (statement.title, statement.version) == ("Contact about opportunities", 1)
    copy_views = [
        viewset.name
        for viewset in admin_viewsets.viewsets
        if type(viewset).__module__.split(".")[0] in PROJECT_APPS
        and any(pattern.name == "copy" for pattern in viewset.get_urlpatterns())
    ]
    assert copy_views == []


def test_a_panel_cannot_be_deleted_from_the_admin(client, lead):
    panel = Panel.objects.create(name="Housing")
    panel.coordinators.add(lead)

    response = client.post(f"/admin/panels/delete/{panel.pk}/")

    assert response.status_code in {302, 403, 404}
    assert Panel.objects.filter(pk=panel.pk).exists()


@pytest.mark.parametrize(
    "url",
    ["/admin/experts/edit/{expert}/", "/admin/honoraria/edit/{honorarium}/"],
)
def test_records_with_a_status_have_no_generic_edit_view(client, lead, url):
    person = expert(status="applied")
    honorarium = Honorarium.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        description="Session",
        amount="10.00",
        method="bank_transfer",
    )

    response = client.post(
        url.format(expert=person.pk, honorarium=honorarium.pk), {"status": "active"}
    )

    assert response.status_code == 404
    person.refresh_from_db()
    honorarium.refresh_from_db()
    assert (person.status, honorarium.status) == ("applied", "pending")


def test_membership_dates_are_checked_by_the_database(db):
    from django.db import IntegrityError, transaction

    panel = Panel.objects.create(name="Housing")
    with pytest.raises(IntegrityError), transaction.atomic():
        PanelMembership.objects.create(
            panel=panel,
            expert=expert(status="active"),
            started_on=date(2026, 5, 1),
            ended_on=date(2026, 4, 1),
        )
