"""The exports app takes over its models from ``incidents`` (issue 18): same tables, no data moved.

See incidents/migrations/0006_move_reminders_exports_to_own_apps.py.
"""

import django.db.models.deletion
import exports.models
from django.conf import settings
from django.db import migrations, models


MODELS = ('exportlog', 'exportjob', 'icsfeedtoken')


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MODELS:
        if rows.filter(app_label=new, model=model).exists():
            continue  # already there (a database migrated by hand); keep it, its ids are in use
        rows.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "incidents", "exports")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, schema_editor, "exports", "incidents")


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
                    name='IcsFeedToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(default=exports.models._new_token, max_length=64, unique=True, verbose_name='token')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('incident', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='ics_tokens', to='incidents.incident')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ics_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'calendar feed',
                        'verbose_name_plural': 'calendar feeds',
                        'db_table': 'incidents_icsfeedtoken',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ExportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('format', models.CharField(choices=[('pdf', 'PDF'), ('xlsx', 'XLSX'), ('csv', 'CSV'), ('json', 'JSON'), ('docx', 'DOCX'), ('ics', 'ICS')], max_length=8, verbose_name='format')),
                        ('language', models.CharField(default='ko', max_length=5, verbose_name='language')),
                        ('time_zone', models.CharField(default='Asia/Seoul', max_length=64, verbose_name='time zone')),
                        ('status', models.CharField(choices=[('pending', 'waiting'), ('running', 'running'), ('done', 'done'), ('failed', 'failed')], default='pending', max_length=10, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('file', models.FileField(blank=True, upload_to=exports.models._job_path, verbose_name='file')),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size (bytes)')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='export_jobs', to='incidents.incident')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'export job',
                        'verbose_name_plural': 'export jobs',
                        'db_table': 'incidents_exportjob',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='exportjob_progress_max_100')],
                    },
                ),
                migrations.CreateModel(
                    name='ExportLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('username', models.CharField(blank=True, max_length=150, verbose_name='username')),
                        ('incident_reference', models.CharField(blank=True, max_length=20, verbose_name='incident reference')),
                        ('format', models.CharField(choices=[('pdf', 'PDF'), ('xlsx', 'XLSX'), ('csv', 'CSV'), ('json', 'JSON'), ('docx', 'DOCX'), ('ics', 'ICS')], max_length=8, verbose_name='format')),
                        ('variant', models.CharField(blank=True, help_text='Draft kind, feed scope, language.', max_length=20, verbose_name='variant')),
                        ('size', models.PositiveBigIntegerField(blank=True, null=True, verbose_name='size (bytes)')),
                        ('via', models.CharField(choices=[('web', 'web'), ('cli', 'command line'), ('api', 'API'), ('task', 'background job'), ('feed', 'calendar feed')], max_length=8, verbose_name='via')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='exported at')),
                        ('incident', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='export_logs', to='incidents.incident', verbose_name='incident')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'export log entry',
                        'verbose_name_plural': 'export log',
                        'db_table': 'incidents_exportlog',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['incident', '-created_at'], name='incidents_e_inciden_9be4cc_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        # Content types (and with them permissions, admin log entries, generic relations) follow.
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
