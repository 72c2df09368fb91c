"""Kqm: squashed from the migrations it replaces (generated afresh from the models, with
the data the replaced migrations loaded). A database part-way through the replaced
migrations must first be migrated to their end with the release that still ships them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kqm.schedules import installing


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('kqm', '0002_initial'),
        ('kqm', '0003_heartbeat_schedule'),
        ('kqm', '0004_outbox_and_email_states'),
        ('kqm', '0004_second_factor_reset'),
        ('kqm', '0005_merge_20261207_0704'),
    ]

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('kqm', '0001_squashed_0001_initial'),
        ('settings', '0001_squashed_0004_ofsted_import_layouts'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='settings',
            field=models.ManyToManyField(blank=True, help_text='For setting managers and practitioners: the settings they belong to.', related_name='members', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='user',
            name='user_permissions',
            field=models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions'),
        ),
        migrations.AddField(
            model_name='historicaluser',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaluser',
            name='invited_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaluser_settings',
            name='history',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='kqm.historicaluser'),
        ),
        migrations.AddField(
            model_name='historicaluser_settings',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicaluser_settings',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(fields=['published_at', 'created_at'], name='outbox_due'),
        ),
        installing("Worker heartbeat", "Outbox sweep", "Personal data retention"),
    ]
