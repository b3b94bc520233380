from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from core.models import OutboundEmail


@pytest.mark.django_db
def test_run_periodic_once_runs_every_scheduled_task_in_process(settings):
    stuck = OutboundEmail.objects.create(
        template="test", to_address="sam@tandem.test", subject="Waiting", body_text="Body"
    )
    out = StringIO()

    call_command("run_periodic", "--once", stdout=out)

    stuck.refresh_from_db()
    assert stuck.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Waiting"]
    assert "outbox-sweep: 1" in out.getvalue()
    assert set(settings.CELERY_BEAT_SCHEDULE) <= {
        line.split()[1].rstrip(":") for line in out.getvalue().splitlines()
    }
