"""Accreditation: squashed from the migrations it replaces (generated afresh from the models, with
the data the replaced migrations loaded). A database part-way through the replaced
migrations must first be migrated to their end with the release that still ships them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accreditation.shipped import add_entry_criteria, add_note_template, remove_note_template
from kqm.schedules import installing


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ('accreditation', '0003_accreditation_year'),
        ('accreditation', '0004_notes_of_visit_template'),
        ('accreditation', '0005_awards_and_unit_b'),
        ('accreditation', '0006_after_award_reminders'),
        ('accreditation', '0006_after_award_reminders_schedule'),
        ('accreditation', '0007_decision_recommendation'),
        ('accreditation', '0008_after_award'),
        ('accreditation', '0009_explicit_ownership_and_one_live_accreditation'),
    ]

    dependencies = [
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        ('accreditation', '0001_squashed_0002_entry_criteria'),
        ('audits', '0001_squashed_0007_leadership_tool'),
        ('settings', '0001_squashed_0004_ofsted_import_layouts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='accreditation',
            name='evaluator',
            field=models.ForeignKey(blank=True, limit_choices_to={'role': 'evaluator'}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assigned_accreditations', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='accreditation',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='accreditations', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='accreditationstatuschange',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_changes', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='accreditationstatuschange',
            name='changed_by',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='actionevidence',
            name='added_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='actionevidence',
            name='audit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='actionevidence',
            name='screening',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='actionreview',
            name='author',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='agreedaction',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='agreed_actions', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='agreedaction',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='annualreview',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='annualreview',
            name='latest_inspection',
            field=models.ForeignKey(blank=True, help_text='The latest Ofsted inspection when the review was sent.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='settings.inspection'),
        ),
        migrations.AddField(
            model_name='annualreview',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='application',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='application',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='application',
            name='submitted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='accreditation',
            name='application',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='accreditation', to='accreditation.application'),
        ),
        migrations.AddField(
            model_name='applicationanswer',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='accreditation.application'),
        ),
        migrations.AddField(
            model_name='applicationevidence',
            name='application',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='accreditation.application'),
        ),
        migrations.AddField(
            model_name='applicationevidence',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='award',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='award',
            name='granted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='award',
            name='previous_award',
            field=models.ForeignKey(blank=True, help_text="The setting's award before this one (re-accreditation).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='later_awards', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='award',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='award',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='annualreview',
            name='award',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='annual_reviews', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='calendarfeed',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feed', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='casestudy',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='case_studies', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='casestudy',
            name='baseline_score',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.leuvenscore', verbose_name='baseline Leuven score'),
        ),
        migrations.AddField(
            model_name='casestudy',
            name='focus_child',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.child'),
        ),
        migrations.AddField(
            model_name='casestudy',
            name='follow_up_score',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.leuvenscore', verbose_name='follow-up Leuven score'),
        ),
        migrations.AddField(
            model_name='casestudy',
            name='saved_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='casestudyevidence',
            name='case_study',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='accreditation.casestudy'),
        ),
        migrations.AddField(
            model_name='casestudyevidence',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='casestudyversion',
            name='case_study',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='versions', to='accreditation.casestudy'),
        ),
        migrations.AddField(
            model_name='casestudyversion',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='casestudyversion',
            name='submitted_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='application',
            name='cohort',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='accreditation',
            name='cohort',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='accreditations', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='concurrentapplicationallowance',
            name='allowed_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='concurrentapplicationallowance',
            name='cohort',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='concurrentapplicationallowance',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='applicationanswer',
            name='criterion',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accreditation.entrycriterion'),
        ),
        migrations.AddField(
            model_name='evaluatorprofile',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='evaluator_profile', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaccreditation',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.application'),
        ),
        migrations.AddField(
            model_name='historicalaccreditation',
            name='cohort',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='historicalaccreditation',
            name='evaluator',
            field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'role': 'evaluator'}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaccreditation',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaccreditation',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalactionevidence',
            name='added_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalactionevidence',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalactionevidence',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalactionevidence',
            name='screening',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='historicalactionreview',
            name='author',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalactionreview',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalagreedaction',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalagreedaction',
            name='closed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalagreedaction',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalannualreview',
            name='award',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='historicalannualreview',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalannualreview',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalannualreview',
            name='latest_inspection',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The latest Ofsted inspection when the review was sent.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.inspection'),
        ),
        migrations.AddField(
            model_name='historicalannualreview',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapplication',
            name='cohort',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='historicalapplication',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapplication',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapplication',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalapplication',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapplicationanswer',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.application'),
        ),
        migrations.AddField(
            model_name='historicalapplicationanswer',
            name='criterion',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.entrycriterion'),
        ),
        migrations.AddField(
            model_name='historicalapplicationanswer',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapplicationevidence',
            name='application',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.application'),
        ),
        migrations.AddField(
            model_name='historicalapplicationevidence',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapplicationevidence',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaward',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalaward',
            name='granted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaward',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaward',
            name='previous_award',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="The setting's award before this one (re-accreditation).", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='historicalaward',
            name='revoked_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalaward',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalcalendarfeed',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcalendarfeed',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudy',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalcasestudy',
            name='baseline_score',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.leuvenscore', verbose_name='baseline Leuven score'),
        ),
        migrations.AddField(
            model_name='historicalcasestudy',
            name='focus_child',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.child'),
        ),
        migrations.AddField(
            model_name='historicalcasestudy',
            name='follow_up_score',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.leuvenscore', verbose_name='follow-up Leuven score'),
        ),
        migrations.AddField(
            model_name='historicalcasestudy',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudy',
            name='saved_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudyevidence',
            name='case_study',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.casestudy'),
        ),
        migrations.AddField(
            model_name='historicalcasestudyevidence',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudyevidence',
            name='uploaded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudyversion',
            name='case_study',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.casestudy'),
        ),
        migrations.AddField(
            model_name='historicalcasestudyversion',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudyversion',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcasestudyversion',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcohort',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalconcurrentapplicationallowance',
            name='allowed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalconcurrentapplicationallowance',
            name='cohort',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='historicalconcurrentapplicationallowance',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalconcurrentapplicationallowance',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalentrycriterion',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalevaluatorprofile',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalevaluatorprofile',
            name='user',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalimprovementaction',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalimprovementaction',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalimprovementaction',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalimprovementaction',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalimprovementaction',
            name='screening',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='historicalimprovementaction',
            name='subscale',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.subscale'),
        ),
        migrations.AddField(
            model_name='historicalmeetingattendance',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmeetingattendance',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalmessage',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalmessage',
            name='author',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalmessage',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnetworkmeeting',
            name='cohort',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='historicalnetworkmeeting',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnotecomment',
            name='author',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnotecomment',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnoteofvisit',
            name='agreed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnoteofvisit',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnoteofvisit',
            name='written_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnotesection',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnotetemplate',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalnotetemplatesection',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='award',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The award being renewed.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='new_award',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The award granted by re-accreditation.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='opened_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrecommendation',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalrecommendation',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrecommendation',
            name='submission',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The move to “submitted” this recommendation answers.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditationstatuschange'),
        ),
        migrations.AddField(
            model_name='historicalrecommendation',
            name='written_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalremindersettings',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreportexport',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalreportexport',
            name='requested_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrequirement',
            name='audit',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The new ECERS or leadership audit.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='historicalrequirement',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrequirement',
            name='judged_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrequirement',
            name='updated_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsectionreview',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalsectionreview',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.casestudyversion'),
        ),
        migrations.AddField(
            model_name='historicalselfevaluationentry',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalselfevaluationentry',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalselfevaluationentry',
            name='updated_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaltimeentry',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicaltimeentry',
            name='evaluator',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaltimeentry',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicaltrainingsession',
            name='evaluator',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.evaluatorprofile'),
        ),
        migrations.AddField(
            model_name='historicaltrainingsession',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalunfiledrecord',
            name='filed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalunfiledrecord',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalunfiledrecord',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='historicalvisit',
            name='accreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='historicalvisit',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalvisit',
            name='scheduled_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshop',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshop',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshop',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshopbooking',
            name='attendance_recorded_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshopbooking',
            name='booked_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshopbooking',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshopbooking',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshopbooking',
            name='setting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='improvementaction',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='improvement_actions', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='improvementaction',
            name='audit',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='improvementaction',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='improvementaction',
            name='screening',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.screening'),
        ),
        migrations.AddField(
            model_name='improvementaction',
            name='subscale',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.subscale'),
        ),
        migrations.AddField(
            model_name='historicalactionreview',
            name='action',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.improvementaction'),
        ),
        migrations.AddField(
            model_name='historicalactionevidence',
            name='action',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.improvementaction'),
        ),
        migrations.AddField(
            model_name='actionreview',
            name='action',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='accreditation.improvementaction'),
        ),
        migrations.AddField(
            model_name='actionevidence',
            name='action',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence', to='accreditation.improvementaction'),
        ),
        migrations.AddField(
            model_name='meetingattendance',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='message',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='message',
            name='author',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='networkmeeting',
            name='cohort',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='meetings', to='accreditation.cohort'),
        ),
        migrations.AddField(
            model_name='meetingattendance',
            name='meeting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='accreditation.networkmeeting'),
        ),
        migrations.AddField(
            model_name='historicalmeetingattendance',
            name='meeting',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.networkmeeting'),
        ),
        migrations.AddField(
            model_name='notecomment',
            name='author',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='noteofvisit',
            name='agreed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='noteofvisit',
            name='written_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='notecomment',
            name='note',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='accreditation.noteofvisit'),
        ),
        migrations.AddField(
            model_name='historicalnotesection',
            name='note',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.noteofvisit'),
        ),
        migrations.AddField(
            model_name='historicalnotecomment',
            name='note',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.noteofvisit'),
        ),
        migrations.AddField(
            model_name='historicalagreedaction',
            name='note',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.noteofvisit'),
        ),
        migrations.AddField(
            model_name='agreedaction',
            name='note',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='actions', to='accreditation.noteofvisit'),
        ),
        migrations.AddField(
            model_name='notesection',
            name='note',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='accreditation.noteofvisit'),
        ),
        migrations.AddField(
            model_name='historicalnotetemplatesection',
            name='template',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.notetemplate'),
        ),
        migrations.AddField(
            model_name='notetemplatesection',
            name='template',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='accreditation.notetemplate'),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reaccreditations', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='award',
            field=models.OneToOneField(help_text='The award being renewed.', on_delete=django.db.models.deletion.PROTECT, related_name='reaccreditation', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='new_award',
            field=models.OneToOneField(blank=True, help_text='The award granted by re-accreditation.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='renewal_of', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='opened_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reaccreditations', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrequirement',
            name='reaccreditation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.reaccreditation'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='submission',
            field=models.OneToOneField(help_text='The move to “submitted” this recommendation answers.', on_delete=django.db.models.deletion.CASCADE, related_name='recommendation', to='accreditation.accreditationstatuschange'),
        ),
        migrations.AddField(
            model_name='recommendation',
            name='written_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reminder',
            name='award',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='accreditation.award'),
        ),
        migrations.AddField(
            model_name='reminder',
            name='recipient',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='remindersettings',
            constraint=models.CheckConstraint(condition=models.Q(('pk', 1)), name='reminder_settings_singleton'),
        ),
        migrations.AddField(
            model_name='reportexport',
            name='requested_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_exports', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='requirement',
            name='audit',
            field=models.ForeignKey(blank=True, help_text='The new ECERS or leadership audit.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='audits.audit'),
        ),
        migrations.AddField(
            model_name='requirement',
            name='judged_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='requirement',
            name='reaccreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='requirements', to='accreditation.reaccreditation'),
        ),
        migrations.AddField(
            model_name='requirement',
            name='updated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='sectionreview',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='accreditation.casestudyversion'),
        ),
        migrations.AddField(
            model_name='selfevaluationentry',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='self_evaluation_entries', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='selfevaluationentry',
            name='updated_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='timeentry',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='time_entries', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='timeentry',
            name='evaluator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='time_entries', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='evaluator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='training', to='accreditation.evaluatorprofile'),
        ),
        migrations.AddField(
            model_name='unfiledrecord',
            name='filed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='unfiledrecord',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='visit',
            name='accreditation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='visits', to='accreditation.accreditation'),
        ),
        migrations.AddField(
            model_name='visit',
            name='scheduled_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='reaccreditation',
            name='visit',
            field=models.ForeignKey(blank=True, help_text='The re-accreditation visit.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accreditation.visit'),
        ),
        migrations.AddField(
            model_name='noteofvisit',
            name='visit',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='note', to='accreditation.visit'),
        ),
        migrations.AddField(
            model_name='historicalreaccreditation',
            name='visit',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The re-accreditation visit.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.visit'),
        ),
        migrations.AddField(
            model_name='historicalnoteofvisit',
            name='visit',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.visit'),
        ),
        migrations.AddField(
            model_name='workshop',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='workshop',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalworkshopbooking',
            name='workshop',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.workshop'),
        ),
        migrations.AddField(
            model_name='workshopbooking',
            name='attendance_recorded_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='workshopbooking',
            name='booked_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='workshopbooking',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='workshopbooking',
            name='setting',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='workshop_bookings', to='settings.setting'),
        ),
        migrations.AddField(
            model_name='workshopbooking',
            name='workshop',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bookings', to='accreditation.workshop'),
        ),
        migrations.AddField(
            model_name='requirement',
            name='booking',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accreditation.workshopbooking'),
        ),
        migrations.AddField(
            model_name='historicalrequirement',
            name='booking',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accreditation.workshopbooking'),
        ),
        migrations.AddIndex(
            model_name='award',
            index=models.Index(fields=['setting', '-award_date'], name='accreditati_setting_e5e4e8_idx'),
        ),
        migrations.AddIndex(
            model_name='award',
            index=models.Index(fields=['expiry_date'], name='accreditati_expiry__1a7f0a_idx'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.UniqueConstraint(condition=models.Q(('previous_award__isnull', True)), fields=('accreditation',), name='one_first_award_per_accreditation'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.UniqueConstraint(condition=models.Q(('previous_award__isnull', False)), fields=('previous_award',), name='one_renewal_per_award'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.UniqueConstraint(fields=('year', 'sequence'), name='award_number_per_year'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.CheckConstraint(condition=models.Q(('expiry_date__gt', models.F('award_date'))), name='award_expires_after_award_date'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), models.Q(('revocation_reason', ''), _negated=True), _connector='OR'), name='revoked_award_has_a_reason'),
        ),
        migrations.AddIndex(
            model_name='annualreview',
            index=models.Index(fields=['status', 'due_date'], name='accreditati_status_8c3e17_idx'),
        ),
        migrations.AddConstraint(
            model_name='annualreview',
            constraint=models.UniqueConstraint(fields=('award', 'year'), name='one_review_per_award_year'),
        ),
        migrations.AddConstraint(
            model_name='casestudy',
            constraint=models.UniqueConstraint(fields=('accreditation', 'number'), name='one_case_study_per_number'),
        ),
        migrations.AddConstraint(
            model_name='casestudyversion',
            constraint=models.UniqueConstraint(fields=('case_study', 'number'), name='unique_version_number'),
        ),
        migrations.AddConstraint(
            model_name='application',
            constraint=models.UniqueConstraint(fields=('setting', 'cohort'), name='one_application_per_cohort'),
        ),
        migrations.AddIndex(
            model_name='accreditation',
            index=models.Index(fields=['setting', '-created_at'], name='accreditati_setting_847f4e_idx'),
        ),
        migrations.AddConstraint(
            model_name='accreditation',
            constraint=models.UniqueConstraint(fields=('setting', 'cohort'), name='one_accreditation_per_cohort'),
        ),
        migrations.AddConstraint(
            model_name='concurrentapplicationallowance',
            constraint=models.UniqueConstraint(fields=('setting', 'cohort'), name='one_allowance_per_cohort'),
        ),
        migrations.AddConstraint(
            model_name='applicationanswer',
            constraint=models.UniqueConstraint(fields=('application', 'criterion'), name='one_answer_per_criterion'),
        ),
        migrations.AddIndex(
            model_name='improvementaction',
            index=models.Index(fields=['accreditation', 'status', 'due_date'], name='accreditati_accredi_c1afc5_idx'),
        ),
        migrations.AddConstraint(
            model_name='actionevidence',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('audit__isnull', True), ('kind', 'file'), ('screening__isnull', True)), models.Q(('audit__isnull', False), ('kind', 'audit'), ('screening__isnull', True)), models.Q(('audit__isnull', True), ('kind', 'screening'), ('screening__isnull', False)), _connector='OR'), name='action_evidence_matches_its_kind'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['accreditation', '-created_at'], name='accreditati_accredi_45ccd3_idx'),
        ),
        migrations.AddConstraint(
            model_name='meetingattendance',
            constraint=models.UniqueConstraint(fields=('meeting', 'setting'), name='one_attendance_per_setting'),
        ),
        migrations.AddIndex(
            model_name='reminder',
            index=models.Index(fields=['send_on'], name='accreditati_send_on_9dd894_idx'),
        ),
        migrations.AddConstraint(
            model_name='reminder',
            constraint=models.UniqueConstraint(fields=('kind', 'recipient', 'award', 'due_date', 'offset'), name='one_reminder_per_key'),
        ),
        migrations.AddConstraint(
            model_name='sectionreview',
            constraint=models.UniqueConstraint(fields=('version', 'section'), name='one_review_per_section'),
        ),
        migrations.AddConstraint(
            model_name='selfevaluationentry',
            constraint=models.UniqueConstraint(fields=('accreditation', 'section'), name='one_entry_per_sef_section'),
        ),
        migrations.AddConstraint(
            model_name='unfiledrecord',
            constraint=models.UniqueConstraint(fields=('kind', 'record_id'), name='one_filing_per_record'),
        ),
        migrations.AddConstraint(
            model_name='visit',
            constraint=models.UniqueConstraint(fields=('accreditation', 'visit_type'), name='one_visit_of_each_type'),
        ),
        migrations.AddConstraint(
            model_name='visit',
            constraint=models.CheckConstraint(condition=models.Q(('end_time__gt', models.F('start_time'))), name='visit_ends_after_it_starts'),
        ),
        migrations.AddConstraint(
            model_name='workshop',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='workshop_ends_after_it_starts'),
        ),
        migrations.AddConstraint(
            model_name='workshopbooking',
            constraint=models.UniqueConstraint(condition=models.Q(('cancelled_at__isnull', True)), fields=('workshop', 'setting'), name='one_live_booking_per_setting_and_workshop'),
        ),
        migrations.AddConstraint(
            model_name='requirement',
            constraint=models.UniqueConstraint(fields=('reaccreditation', 'kind'), name='one_requirement_of_each_kind'),
        ),
        migrations.RunPython(add_entry_criteria, migrations.RunPython.noop),
        migrations.RunPython(add_note_template, remove_note_template),
        installing("Award reminders"),
    ]
