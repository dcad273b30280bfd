"""Reminder and export models leave the incidents app (issue 18) WITHOUT touching their tables.

State only: the models are deleted from the ``incidents`` state here and created in the
``reminders`` and ``exports`` states by those apps' 0001 migrations, with ``db_table`` set to the
old names, so every row stays. Content types move in those migrations too.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0005_dashboard_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table keeps their names): state only.
            state_operations=[
                migrations.RemoveField(
                    model_name='delivery',
                    name='digest',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='endpoint',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='notification',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='reminder',
                ),
                migrations.RemoveField(
                    model_name='delivery',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='digestrun',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='exportjob',
                    name='incident',
                ),
                migrations.RemoveField(
                    model_name='exportjob',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='exportlog',
                    name='incident',
                ),
                migrations.RemoveField(
                    model_name='exportlog',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='icsfeedtoken',
                    name='incident',
                ),
                migrations.RemoveField(
                    model_name='icsfeedtoken',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='reminder',
                    name='deadline',
                ),
                migrations.DeleteModel(
                    name='ReminderPolicy',
                ),
                migrations.DeleteModel(
                    name='WebhookEndpoint',
                ),
                migrations.DeleteModel(
                    name='Delivery',
                ),
                migrations.DeleteModel(
                    name='DigestRun',
                ),
                migrations.DeleteModel(
                    name='ExportJob',
                ),
                migrations.DeleteModel(
                    name='ExportLog',
                ),
                migrations.DeleteModel(
                    name='IcsFeedToken',
                ),
                migrations.DeleteModel(
                    name='Reminder',
                ),
            ],
            database_operations=[],
        ),
    ]
