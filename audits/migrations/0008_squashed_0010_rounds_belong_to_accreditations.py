"""Audits: squashed from the migrations it replaces (generated afresh from the models, with
the data the replaced migrations loaded). A database part-way through the replaced
migrations must first be migrated to their end with the release that still ships them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kqm.schedules import installing


def load_shipped_definitions(apps, schema_editor):
    """The instrument library and the questionnaires shipped in audits/."""
    from audits.definitions import Models, load_shipped_instruments
    from audits.services.questionnaires import load_shipped_questionnaires

    load_shipped_instruments(models=Models.from_apps(apps))
    load_shipped_questionnaires(apps)


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('audits', '0008_reviews_and_evaluation_rounds'),
        ('audits', '0009_evaluation_questionnaire'),
        ('audits', '0010_rounds_belong_to_accreditations'),
    ]

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('accreditation', '0003_squashed_0009_explicit_ownership_and_one_live_accreditation'),
        ('audits', '0001_squashed_0007_leadership_tool'),
        ('settings', '0001_squashed_0004_ofsted_import_layouts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='actionpoint',
            name='created_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='audit',
            name='accreditation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audits', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='audit',
            name='completed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='audit',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='audit',
            name='observers',
            field=models.ManyToManyField(related_name='audits_observed', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='audit',
            name='paired_with',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='paired_copies', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='audit',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audits', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='auditreview',
            name='audit',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='auditreview',
            name='completed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='auditstatuschange',
            name='audit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='auditstatuschange',
            name='changed_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='child',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='children', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='childdataaccess',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='childdataaccess',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='group',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='child',
            name='group',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='children', to='audits.group'),
        ),
        migrations.AddField(
            model_name='historicalactionpoint',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalactionpoint',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='completed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='paired_with',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalaudit_observers',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalaudit_observers',
            name='history',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='audits.historicalaudit'),
        ),
        migrations.AddField(
            model_name='historicalaudit_observers',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalauditreview',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalauditreview',
            name='completed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalauditreview',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalchild',
            name='group',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.group'),
        ),
        migrations.AddField(
            model_name='historicalchild',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalchild',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalgroup',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalgroup',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalinstrument',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalinstrumentversion',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalitem',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalitemreview',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalitemreview',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalitemreview',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalitemscore',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalitemscore',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalitemscore',
            name='updated_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalleuvenscore',
            name='child',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.child'),
        ),
        migrations.AddField(
            model_name='historicalleuvenscore',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalleuvenscore',
            name='updated_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmoderationscore',
            name='child',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.child'),
        ),
        migrations.AddField(
            model_name='historicalmoderationscore',
            name='evaluator',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmoderationscore',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalquestionnaire',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The accreditation year the round was started for, chosen on the page that started it; empty for a round outside any accreditation year.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='closed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='cohort',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalquestionnairescalepoint',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalquestionnairestatement',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalscalevalue',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalscreening',
            name='group',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.group'),
        ),
        migrations.AddField(
            model_name='historicalscreening',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalscreening_practitioners',
            name='history',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='audits.historicalscreening'),
        ),
        migrations.AddField(
            model_name='historicalscreening_practitioners',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsubscale',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalinstrumentversion',
            name='instrument',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.instrument'),
        ),
        migrations.AddField(
            model_name='instrumentversion',
            name='based_on',
            field=models.ForeignKey(blank=True, help_text='The version this one was copied from.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='instrumentversion',
            name='instrument',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='audits.instrument'),
        ),
        migrations.AddField(
            model_name='historicalsubscale',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='historicalscalevalue',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='historicalitem',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='historicalinstrumentversion',
            name='based_on',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The version this one was copied from.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='historicalaudit',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='audit',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='audits', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='item',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='historicalitemscore',
            name='item',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.item'),
        ),
        migrations.AddField(
            model_name='historicalitemreview',
            name='item',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.item'),
        ),
        migrations.AddField(
            model_name='itemreview',
            name='audit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='item_reviews', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='itemreview',
            name='item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='audits.item'),
        ),
        migrations.AddField(
            model_name='itemreview',
            name='reviewed_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='itemscore',
            name='audit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='itemscore',
            name='item',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='audits.item'),
        ),
        migrations.AddField(
            model_name='itemscore',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='leuvenscore',
            name='child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='audits.child'),
        ),
        migrations.AddField(
            model_name='leuvenscore',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalactionpoint',
            name='score',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.leuvenscore'),
        ),
        migrations.AddField(
            model_name='actionpoint',
            name='score',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='audits.leuvenscore'),
        ),
        migrations.AddField(
            model_name='moderationscore',
            name='child',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='audits.child'),
        ),
        migrations.AddField(
            model_name='moderationscore',
            name='evaluator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.UniqueConstraint(fields=('code', 'version'), name='unique_questionnaire_version'),
        ),
        migrations.AddConstraint(
            model_name='questionnaire',
            constraint=models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('kind',), name='one_current_questionnaire_per_kind'),
        ),
        migrations.AddField(
            model_name='historicalquestionnairestatement',
            name='questionnaire',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.questionnaire'),
        ),
        migrations.AddField(
            model_name='historicalquestionnairescalepoint',
            name='questionnaire',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.questionnaire'),
        ),
        migrations.AddField(
            model_name='historicalquestionnaireround',
            name='questionnaire',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.questionnaire'),
        ),
        migrations.AddField(
            model_name='questionnaireanswer',
            name='response',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='audits.questionnaireresponse'),
        ),
        migrations.AddField(
            model_name='questionnaireround',
            name='accreditation',
            field=models.ForeignKey(blank=True, help_text='The accreditation year the round was started for, chosen on the page that started it; empty for a round outside any accreditation year.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='questionnaire_rounds', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='questionnaireround',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='questionnaireround',
            name='cohort',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='evaluation_rounds', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='questionnaireround',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='questionnaireround',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rounds', to='audits.questionnaire'),
        ),
        migrations.AddField(
            model_name='questionnaireround',
            name='setting',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='questionnaire_rounds', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='questionnaireresponse',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='responses', to='audits.questionnaireround'),
        ),
        migrations.AddField(
            model_name='questionnairelink',
            name='round',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='links', to='audits.questionnaireround'),
        ),
        migrations.AddField(
            model_name='historicalauditreview',
            name='staff_round',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The staff questionnaire round the review drew on.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.questionnaireround'),
        ),
        migrations.AddField(
            model_name='auditreview',
            name='staff_round',
            field=models.ForeignKey(blank=True, help_text='The staff questionnaire round the review drew on.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.questionnaireround'),
        ),
        migrations.AddField(
            model_name='questionnairescalepoint',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scale', to='audits.questionnaire'),
        ),
        migrations.AddField(
            model_name='questionnairestatement',
            name='questionnaire',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='statements', to='audits.questionnaire'),
        ),
        migrations.AddField(
            model_name='questionnaireanswer',
            name='statement',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='audits.questionnairestatement'),
        ),
        migrations.AddField(
            model_name='scalevalue',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scale', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='screening',
            name='group',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='screenings', to='audits.group'),
        ),
        migrations.AddField(
            model_name='screening',
            name='practitioners',
            field=models.ManyToManyField(blank=True, related_name='screenings', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='moderationscore',
            name='screening',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moderation', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='leuvenscore',
            name='screening',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='historicalscreening_practitioners',
            name='screening',
            field=models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='historicalmoderationscore',
            name='screening',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='historicalleuvenscore',
            name='screening',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='subscale',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='subscales', to='audits.instrumentversion'),
        ),
        migrations.AddField(
            model_name='item',
            name='subscale',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='audits.subscale'),
        ),
        migrations.AddField(
            model_name='historicalitem',
            name='subscale',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.subscale'),
        ),
        migrations.AddConstraint(
            model_name='group',
            constraint=models.UniqueConstraint(fields=('setting', 'programme_year', 'name'), name='unique_group_name'),
        ),
        migrations.AddConstraint(
            model_name='child',
            constraint=models.UniqueConstraint(fields=('setting', 'code'), name='unique_child_code'),
        ),
        migrations.AddConstraint(
            model_name='instrumentversion',
            constraint=models.UniqueConstraint(fields=('instrument', 'label'), name='unique_version_label'),
        ),
        migrations.AddConstraint(
            model_name='instrumentversion',
            constraint=models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('instrument',), name='one_current_version'),
        ),
        migrations.AddIndex(
            model_name='audit',
            index=models.Index(fields=['setting', 'occasion', '-date'], name='audits_audi_setting_f3b288_idx'),
        ),
        migrations.AddConstraint(
            model_name='audit',
            constraint=models.UniqueConstraint(condition=models.Q(('paired_with__isnull', False)), fields=('paired_with', 'is_consensus'), name='one_copy_of_each_kind'),
        ),
        migrations.AddConstraint(
            model_name='itemreview',
            constraint=models.UniqueConstraint(fields=('audit', 'item'), name='one_review_per_item'),
        ),
        migrations.AddConstraint(
            model_name='itemreview',
            constraint=models.CheckConstraint(condition=models.Q(('verdict', 'agree'), models.Q(('comment', ''), _negated=True), _connector='OR'), name='adjusted_rating_has_a_comment'),
        ),
        migrations.AddConstraint(
            model_name='itemscore',
            constraint=models.UniqueConstraint(fields=('audit', 'item'), name='one_score_per_item'),
        ),
        migrations.AddConstraint(
            model_name='itemscore',
            constraint=models.CheckConstraint(condition=models.Q(('not_applicable', False), ('score__isnull', True), _connector='OR'), name='na_has_no_score'),
        ),
        migrations.AddIndex(
            model_name='questionnaireround',
            index=models.Index(fields=['setting', '-created_at'], name='audits_ques_setting_ff335d_idx'),
        ),
        migrations.AddConstraint(
            model_name='questionnaireround',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('cohort__isnull', False), ('setting__isnull', True)), models.Q(('cohort__isnull', True), ('setting__isnull', False)), _connector='OR'), name='round_for_a_setting_or_a_cohort'),
        ),
        migrations.AddIndex(
            model_name='questionnairelink',
            index=models.Index(fields=['round', 'status'], name='audits_ques_round_i_59b63b_idx'),
        ),
        migrations.AddConstraint(
            model_name='questionnairescalepoint',
            constraint=models.UniqueConstraint(fields=('questionnaire', 'value'), name='unique_questionnaire_scale_value'),
        ),
        migrations.AddConstraint(
            model_name='questionnairestatement',
            constraint=models.UniqueConstraint(fields=('questionnaire', 'number'), name='unique_questionnaire_statement'),
        ),
        migrations.AddConstraint(
            model_name='questionnaireanswer',
            constraint=models.UniqueConstraint(fields=('response', 'statement'), name='one_answer_per_statement'),
        ),
        migrations.AddConstraint(
            model_name='scalevalue',
            constraint=models.UniqueConstraint(fields=('version', 'value'), name='unique_scale_value'),
        ),
        migrations.AddConstraint(
            model_name='screening',
            constraint=models.UniqueConstraint(fields=('group', 'term'), name='one_screening_per_term'),
        ),
        migrations.AddConstraint(
            model_name='moderationscore',
            constraint=models.UniqueConstraint(fields=('screening', 'child'), name='one_moderation_per_child'),
        ),
        migrations.AddConstraint(
            model_name='leuvenscore',
            constraint=models.UniqueConstraint(fields=('screening', 'child'), name='one_score_per_child'),
        ),
        migrations.AddConstraint(
            model_name='leuvenscore',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('wellbeing__isnull', True), models.Q(('wellbeing__gte', 1), ('wellbeing__lte', 5)), _connector='OR'), models.Q(('involvement__isnull', True), models.Q(('involvement__gte', 1), ('involvement__lte', 5)), _connector='OR')), name='leuven_scores_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='subscale',
            constraint=models.UniqueConstraint(fields=('version', 'number'), name='unique_subscale_number'),
        ),
        migrations.AddConstraint(
            model_name='item',
            constraint=models.UniqueConstraint(fields=('version', 'number'), name='unique_item_number'),
        ),
        installing("Children's data retention"),
        migrations.RunPython(load_shipped_definitions, migrations.RunPython.noop),
    ]
