"""The reminders app takes over its models from ``incidents`` (issue 18): same tables, no data moved.

See incidents/migrations/0006_move_reminders_exports_to_own_apps.py.
"""

import django.db.models.deletion
import reminders.models
import uuid
from django.conf import settings
from django.db import migrations, models


MODELS = ('reminderpolicy', 'reminder', 'webhookendpoint', 'digestrun', 'delivery')


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if rows.filter(app_label=new, model=model).exists():
            continue  # already there (a database migrated by hand); keep it, its ids are in use
        rows.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "incidents", "reminders")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, schema_editor, "reminders", "incidents")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('incidents', '0006_move_reminders_exports_to_own_apps'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table keeps their names): state only.
            state_operations=[
                migrations.CreateModel(
                    name='ReminderPolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('obligation_code', models.CharField(blank=True, help_text='Empty for the global default; otherwise a rule code or regulator-request.', max_length=60, unique=True, verbose_name='obligation code')),
                        ('offsets', models.JSONField(default=reminders.models.default_offsets, verbose_name='offsets')),
                        ('without_delay_every', models.CharField(default='24h', help_text='e.g. 24h; empty for no nudges.', max_length=10, verbose_name="nudge for 'without delay' obligations every")),
                        ('escalation', models.JSONField(blank=True, default=reminders.models.default_escalation, verbose_name='escalation ladder')),
                        ('recipient_roles', models.JSONField(blank=True, default=list, help_text='Besides the owner; default ["compliance"].', verbose_name="roles reminded among the incident's members")),
                        ('email', models.BooleanField(default=True, verbose_name='send e-mail')),
                        ('in_app', models.BooleanField(default=True, verbose_name='send in-app notifications')),
                        ('webhook', models.BooleanField(default=True, verbose_name='call webhooks')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'reminder policy',
                        'verbose_name_plural': 'reminder policies',
                        'db_table': 'incidents_reminderpolicy',
                        'ordering': ['obligation_code'],
                    },
                ),
                migrations.CreateModel(
                    name='WebhookEndpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('url', models.URLField(max_length=500, verbose_name='URL')),
                        ('secret', models.CharField(max_length=200, verbose_name='signing secret')),
                        ('status_url', models.URLField(blank=True, max_length=500, verbose_name='status URL (optional)')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('overdue_only', models.BooleanField(default=False, verbose_name='only overdue reminders and escalations')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'webhook endpoint',
                        'verbose_name_plural': 'webhook endpoints',
                        'db_table': 'incidents_webhookendpoint',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='DigestRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('local_date', models.DateField(verbose_name='local date')),
                        ('time_zone', models.CharField(max_length=64, verbose_name='time zone')),
                        ('due_count', models.PositiveIntegerField(default=0)),
                        ('overdue_count', models.PositiveIntegerField(default=0)),
                        ('payload', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='digest_runs', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'digest run',
                        'verbose_name_plural': 'digest runs',
                        'db_table': 'incidents_digestrun',
                        'ordering': ['-local_date', 'user'],
                    },
                ),
                migrations.CreateModel(
                    name='Reminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=120)),
                        ('kind', models.CharField(choices=[('created', 'deadline created'), ('half', 'half of the window'), ('before', 'before due'), ('due', 'due now'), ('after', 'overdue'), ('overdue', 'overdue (repeated)'), ('nudge', 'without delay: daily nudge')], max_length=10, verbose_name='kind')),
                        ('offset_seconds', models.BigIntegerField(blank=True, help_text='Negative: before due.', null=True, verbose_name='offset from due (s)')),
                        ('seq', models.PositiveIntegerField(default=0)),
                        ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due time it was planned for')),
                        ('fire_at', models.DateTimeField(verbose_name='fires at')),
                        ('state', models.CharField(choices=[('pending', 'pending'), ('claimed', 'claimed by a sweep'), ('done', 'deliveries recorded'), ('cancelled', 'cancelled')], default='pending', max_length=10, verbose_name='state')),
                        ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed')),
                        ('claim_token', models.UUIDField(blank=True, editable=False, null=True)),
                        ('escalated_roles', models.JSONField(blank=True, default=list)),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('cancelled_reason', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('deadline', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='incidents.deadline')),
                    ],
                    options={
                        'verbose_name': 'reminder',
                        'verbose_name_plural': 'reminders',
                        'db_table': 'incidents_reminder',
                        'ordering': ['fire_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('channel', models.CharField(choices=[('email', 'e-mail'), ('inapp', 'in-app'), ('webhook', 'webhook')], max_length=8, verbose_name='channel')),
                        ('recipient_key', models.CharField(help_text='u:<user id> or w:<endpoint id>', max_length=40)),
                        ('escalation', models.BooleanField(default=False, verbose_name='escalation')),
                        ('state', models.CharField(choices=[('pending', 'pending'), ('sending', 'sending'), ('sent', 'sent'), ('failed', 'failed'), ('cancelled', 'cancelled')], default='pending', max_length=10, verbose_name='state')),
                        ('dispatched_at', models.DateTimeField(blank=True, null=True)),
                        ('dispatch_token', models.UUIDField(blank=True, editable=False, null=True)),
                        ('claim_token', models.UUIDField(blank=True, editable=False, null=True)),
                        ('lease_until', models.DateTimeField(blank=True, null=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                        ('confirmed_after_interruption', models.BooleanField(default=False)),
                        ('last_error', models.CharField(blank=True, max_length=500)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('notification', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='delivery', to='incidents.notification')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reminder_deliveries', to=settings.AUTH_USER_MODEL)),
                        ('digest', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reminders.digestrun')),
                        ('reminder', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reminders.reminder')),
                        ('endpoint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reminders.webhookendpoint')),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'incidents_delivery',
                        'ordering': ['created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='digestrun',
                    constraint=models.UniqueConstraint(fields=('user', 'local_date'), name='digest_unique_user_date'),
                ),
                migrations.AddIndex(
                    model_name='reminder',
                    index=models.Index(fields=['state', 'fire_at'], name='reminder_state_fire'),
                ),
                migrations.AddIndex(
                    model_name='reminder',
                    index=models.Index(fields=['claim_token'], name='reminder_claim_token'),
                ),
                migrations.AddConstraint(
                    model_name='reminder',
                    constraint=models.UniqueConstraint(fields=('deadline', 'key'), name='reminder_unique_key'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['state', 'dispatched_at'], name='delivery_state_dispatched'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['dispatch_token'], name='delivery_dispatch_token'),
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['claim_token'], name='delivery_claim_token'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(condition=models.Q(('reminder__isnull', False)), fields=('reminder', 'recipient_key', 'channel'), name='delivery_unique_reminder_recipient_channel'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(condition=models.Q(('digest__isnull', False)), fields=('digest', 'channel'), name='delivery_unique_digest_channel'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('digest__isnull', True), ('reminder__isnull', False)), models.Q(('digest__isnull', False), ('reminder__isnull', True)), _connector='OR'), name='delivery_reminder_xor_digest'),
                ),
            ],
            database_operations=[],
        ),
        # Content types (and with them permissions, admin log entries, generic relations) follow.
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
