import uuid

import django.utils.timezone
from django.db import migrations, models


def fill_schedule(apps, schema_editor):
    """Give each existing email its own Message-ID, and start its schedule and give-up clock
    when it was created."""
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    batch = []
    for email in OutboundEmail.objects.only("pk", "created_at").iterator(chunk_size=500):
        email.message_uuid = uuid.uuid4()
        email.queued_at = email.created_at
        email.next_attempt_at = email.created_at
        batch.append(email)
        if len(batch) == 500:
            OutboundEmail.objects.bulk_update(batch, ["message_uuid", "queued_at", "next_attempt_at"])
            batch = []
    OutboundEmail.objects.bulk_update(batch, ["message_uuid", "queued_at", "next_attempt_at"])

class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_audit_event"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="outboundemail",
            name="outbox_pending_idx",
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="message_uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="queued_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="queued"),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="next_attempt_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="next attempt"
            ),
        ),
        migrations.AddField(
            model_name="outboundemail",
            name="claimed_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_schedule, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboundemail",
            name="message_uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="given up"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="last_error",
            field=models.CharField(blank=True, max_length=200, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="outboundemail",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent"),
        ),
        migrations.AddIndex(
            model_name="outboundemail",
            index=models.Index(
                condition=models.Q(("failed_at__isnull", True), ("sent_at__isnull", True)),
                fields=["next_attempt_at"],
                name="outbox_due_idx",
            ),
        ),
    ]
