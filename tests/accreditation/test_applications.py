"""Applications: applying against the entry criteria, the lists, evidence, judging and deciding."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accreditation.models import (
    Accreditation,
    AccreditationStatusChange,
    Application,
    ApplicationEvidence,
    ApplicationStatus,
    CriterionJudgement,
    EntryCriterion,
    Status,
)
from accreditation.services.applications import (
    do_decide_application,
    do_submit_application,
)
from kqm.models import Role, SentEmail, User
from kqm.tasks import send_templated_email
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import (
    AccreditationFactory,
    ApplicationFactory,
    CohortFactory,
    SettingFactory,
    UserFactory,
)

from .programme_helpers import (
    PDF,
    PNG,
    _media_in_tmp,  # noqa: F401
    add_evidence,
    answers_post,
    judge_all,
    upload,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"accreditation:{name}", args=args)


@pytest.fixture
def cohort(db):
    return CohortFactory(name="2026 cohort", capacity=2, days_per_setting=Decimal("9.5"))


@pytest.fixture
def application(users, setting, cohort):
    return ApplicationFactory(
        setting=setting, cohort=cohort, submitted_by=users[Role.SETTING_MANAGER]
    )


@pytest.fixture
def other_application(other_setting, cohort):
    return ApplicationFactory(setting=other_setting, cohort=cohort)


# Applying ---------------------------------------------------------------------------------------


def test_apply_page_lists_only_open_cohorts_that_are_not_over(client, users):
    open_cohort = CohortFactory(name="2026 cohort")
    CohortFactory(name="Closed cohort", applications_open=False)
    CohortFactory(
        name="Past cohort",
        start_date=datetime.date(2020, 9, 1),
        end_date=datetime.date(2021, 7, 31),
    )
    assert_access(client, url("application-new"), users, allowed=[Role.SETTING_MANAGER])
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url("application-new")).content.decode()
    assert "2026 cohort" in html and url("application-apply", open_cohort.pk) in html
    assert "Closed cohort" not in html and "Past cohort" not in html


def test_apply_page_says_so_when_no_cohort_is_open(client, users):
    CohortFactory(applications_open=False)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url("application-new")).content.decode()
    assert "No cohort is taking applications at the moment" in html


def test_application_form_access(client, users, cohort):
    assert_access(
        client, url("application-apply", cohort.pk), users, allowed=[Role.SETTING_MANAGER]
    )


def test_closed_or_past_cohorts_cannot_be_applied_to(client, users):
    closed = CohortFactory(applications_open=False)
    past = CohortFactory(start_date=datetime.date(2020, 9, 1), end_date=datetime.date(2021, 7, 1))
    client.force_login(users[Role.SETTING_MANAGER])
    for cohort in (closed, past):
        assert client.get(url("application-apply", cohort.pk)).status_code == 404
        assert client.post(url("application-apply", cohort.pk), answers_post()).status_code == 404
    assert not Application.objects.exists()


def test_the_form_asks_every_active_entry_criterion(client, users, cohort):
    EntryCriterion.objects.filter(code="autonomy").update(active=False)
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url("application-apply", cohort.pk)).content.decode()
    assert "Strong practice" in html and "Reflective practitioners" in html
    assert 'name="answer_autonomy"' not in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="evidence_1_file"' in html and 'name="evidence_1_title"' in html


def test_a_setting_manager_applies_with_answers_and_evidence(
    client, users, setting, cohort, manager, django_capture_on_commit_callbacks
):
    applicant = users[Role.SETTING_MANAGER]
    client.force_login(applicant)
    data = answers_post(
        evidence_1_file=upload("Ofsted report.pdf", PDF),
        evidence_1_title="Ofsted report 2025",
        evidence_2_file=upload("garden.png", PNG),
        evidence_2_title="Our garden",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("application-apply", cohort.pk), data)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("application-confirmation", application.pk)
    assert (application.setting, application.cohort) == (setting, cohort)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_by == applicant
    assert application.answers.count() == EntryCriterion.objects.filter(active=True).count()
    assert sorted(application.evidence.values_list("title", flat=True)) == [
        "Ofsted report 2025",
        "Our garden",
    ]
    assert application.history.first().history_user == applicant

    # A receipt to the applicant and a note to the KQM manager, each once.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (applicant.email, f"We have received your KQM application for {setting.name}"),
            (manager.email, f"New KQM application: {setting.name} for the 2026 cohort"),
        ]
    )
    assert f"KQM-A{application.pk:05d}" in mail.outbox[0].body

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "govuk-panel--confirmation" in html and "Application submitted" in html
    assert f"KQM-A{application.pk:05d}" in html


def test_confirmation_page_access(client, users, application, other_application):
    path = url("application-confirmation", application.pk)
    assert_access(client, path, users, allowed=[Role.SETTING_MANAGER])
    assert_not_found(
        client, url("application-confirmation", other_application.pk), [users[Role.SETTING_MANAGER]]
    )


def test_a_missing_answer_is_shown_beside_its_field_and_nothing_is_saved(client, users, cohort):
    client.force_login(users[Role.SETTING_MANAGER])
    data = answers_post(answer_strong_practice="  ", answer_autonomy="We lead it ourselves.")
    response = client.post(url("application-apply", cohort.pk), data)
    assert_field_error(response, "answer_strong_practice", "Enter your answer for Strong practice")
    assert "We lead it ourselves." in response.content.decode()
    assert not Application.objects.exists()


def test_an_answer_that_is_too_long_is_refused(client, users, cohort):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("application-apply", cohort.pk), answers_post(answer_autonomy="x" * 5001)
    )
    assert_field_error(
        response, "answer_autonomy", "Your answer for Autonomy must be 5000 characters or fewer"
    )
    assert not Application.objects.exists()


def test_a_manager_of_several_settings_chooses_which_applies(client, users, setting, cohort):
    applicant = users[Role.SETTING_MANAGER]
    second = SettingFactory(name="Second Site Nursery")
    applicant.settings.add(second)
    client.force_login(applicant)
    response = client.post(url("application-apply", cohort.pk), answers_post())
    assert_field_error(response, "setting", "Choose which setting is applying")
    stranger = SettingFactory()
    response = client.post(url("application-apply", cohort.pk), answers_post(setting=stranger.pk))
    assert_field_error(response, "setting", "Choose one of your settings")
    assert not Application.objects.exists()

    response = client.post(url("application-apply", cohort.pk), answers_post(setting=second.pk))
    assert response.status_code == 302
    assert Application.objects.get().setting == second
    # The setting that has applied is no longer offered; the other still is.
    html = client.get(url("application-apply", cohort.pk)).content.decode()
    assert "Second Site Nursery" not in html and setting.name in html


def test_one_application_per_setting_per_cohort(client, users, application, cohort):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(url("application-apply", cohort.pk), answers_post())
    assert response.status_code == 302 and response["Location"] == url("application-new")
    message = str(next(iter(response.wsgi_request._messages)))
    assert message == "Your settings have already applied to the 2026 cohort."
    assert Application.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        do_submit_application(
            submitted_by=users[Role.SETTING_MANAGER],
            setting=application.setting,
            cohort=cohort,
            answers={c.pk: "x" for c in EntryCriterion.objects.all()},
        )
    assert error.value.message_dict["setting"] == [
        "Little Acorns Day Nursery has already applied to the 2026 cohort."
    ]


def test_the_service_refuses_closed_cohorts_and_other_peoples_settings(users, setting):
    answers = {c.pk: "x" for c in EntryCriterion.objects.all()}
    applicant = users[Role.SETTING_MANAGER]
    past = CohortFactory(start_date=datetime.date(2020, 9, 1), end_date=datetime.date(2021, 7, 1))
    with pytest.raises(ValidationError, match="is not taking applications"):
        do_submit_application(submitted_by=applicant, setting=setting, cohort=past, answers=answers)
    with pytest.raises(ValidationError, match="only for a setting you manage"):
        do_submit_application(
            submitted_by=applicant,
            setting=SettingFactory(),
            cohort=CohortFactory(),
            answers=answers,
        )
    assert not Application.objects.exists()


# The lists --------------------------------------------------------------------------------------


def test_application_list_access(client, users, application):
    assert_access(
        client, url("application-list"), users, allowed=[Role.MANAGER, Role.SETTING_MANAGER]
    )


def test_setting_managers_see_only_their_settings_applications(
    client, users, application, other_application
):
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url("application-list")).content.decode()
    assert application.get_absolute_url() in html
    assert other_application.get_absolute_url() not in html
    client.force_login(users[Role.MANAGER])
    html = client.get(url("application-list")).content.decode()
    assert application.get_absolute_url() in html and other_application.get_absolute_url() in html


def test_manager_filters_by_cohort_status_and_search(client, manager, setting, other_setting):
    first, second = CohortFactory(name="First cohort"), CohortFactory(name="Second cohort")
    a = ApplicationFactory(setting=setting, cohort=first)
    b = ApplicationFactory(setting=other_setting, cohort=second, status=ApplicationStatus.DECLINED)
    c = ApplicationFactory(cohort=first, status=ApplicationStatus.WAITLISTED)
    client.force_login(manager)

    def shown(**params):
        html = client.get(url("application-list"), params).content.decode()
        return {x for x in (a, b, c) if x.get_absolute_url() in html}

    assert shown() == {a, b, c}
    assert shown(cohort=first.pk) == {a, c}
    assert shown(status=ApplicationStatus.DECLINED) == {b}
    assert shown(status="open") == {a, c}
    assert shown(q="little acorns") == {a}
    assert shown(q=other_setting.urn.lower()) == {b}
    assert shown(q="nothing like this") == set()
    assert (
        "No applications match these filters."
        in client.get(url("application-list"), {"q": "zzz"}).content.decode()
    )


def test_empty_list_says_so(client, users):
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(url("application-list")).content.decode()
    assert "Your settings have not applied to a cohort yet." in html
    assert url("application-new") in html


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SETTING_MANAGER])
def test_application_list_runs_a_constant_number_of_queries(
    client, users, setting, role, django_assert_num_queries
):
    client.force_login(users[role])
    cohorts = CohortFactory.create_batch(3)
    for n in range(5):
        mine = SettingFactory()
        users[Role.SETTING_MANAGER].settings.add(mine)
        app = ApplicationFactory(setting=mine, cohort=cohorts[n % 3])
        add_evidence(app)
    expected = _queries(client, url("application-list"))
    for n in range(45):
        mine = SettingFactory()
        users[Role.SETTING_MANAGER].settings.add(mine)
        ApplicationFactory(setting=mine, cohort=cohorts[n % 3])
    with django_assert_num_queries(expected):
        response = client.get(url("application-list"), {"page": 2})
    assert "Showing 26 to 50 of 50" in response.content.decode()


# The application page and its evidence --------------------------------------------------------


def test_application_page_access(client, users, application):
    assert_access(
        client,
        application.get_absolute_url(),
        users,
        allowed=[Role.MANAGER, Role.SETTING_MANAGER],
    )


def test_another_settings_application_is_not_found(client, users, other_application):
    assert_not_found(client, other_application.get_absolute_url(), [users[Role.SETTING_MANAGER]])


def test_application_page_shows_answers_evidence_and_status(client, users, application):
    evidence = add_evidence(application, title="Ofsted report 2025")
    client.force_login(users[Role.SETTING_MANAGER])
    html = client.get(application.get_absolute_url()).content.decode()
    assert "Our answer on Strong practice." in html
    assert url("application-evidence", application.pk, evidence.pk) in html
    assert "Ofsted report 2025" in html and "govuk-tag--blue" in html
    assert "Not judged yet" not in html  # judgements are shown to the setting once decided
    client.force_login(users[Role.MANAGER])
    html = client.get(application.get_absolute_url()).content.decode()
    assert url("application-judge", application.pk) in html
    assert "Judge every entry criterion before accepting" in html


def test_evidence_downloads_only_through_the_checked_view(client, users, application):
    evidence = add_evidence(application)
    path = url("application-evidence", application.pk, evidence.pk)
    for role in (Role.MANAGER, Role.SETTING_MANAGER):
        client.force_login(users[role])
        response = client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="ofsted report.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
    assert_access(client, path, users, allowed=[Role.MANAGER, Role.SETTING_MANAGER])
    # Media is not served at a public address.
    assert client.get(f"/media/{evidence.file.name}").status_code == 404


def test_another_settings_manager_cannot_download_the_evidence(
    client, users, application, other_setting
):
    evidence = add_evidence(application)
    outsider: User = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    path = url("application-evidence", application.pk, evidence.pk)
    assert_not_found(client, path, [outsider])
    # Nor through an application of their own.
    own = ApplicationFactory(setting=other_setting, cohort=application.cohort)
    assert_not_found(client, url("application-evidence", own.pk, evidence.pk), [outsider])


def test_anonymous_visitors_are_sent_to_sign_in_for_evidence(client, application):
    evidence = add_evidence(application)
    response = client.get(url("application-evidence", application.pk, evidence.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_setting_manager_adds_evidence_while_the_application_is_open(client, users, application):
    path = url("application-evidence-add", application.pk)
    assert_access(client, path, users, allowed=[Role.SETTING_MANAGER])
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(path, {"title": "Leuven screening summary"})
    assert_field_error(response, "file", "Select a file")
    response = client.post(path, {"file": upload("notes.pdf", b"MZ\x90\x00"), "title": "Notes"})
    assert_field_error(response, "file", "The selected file is a program, not a document.")
    assert not application.evidence.exists()
    response = client.post(path, {"file": upload("leuven.pdf", PDF), "title": "Leuven summary"})
    assert response.status_code == 302
    assert application.evidence.get().title == "Leuven summary"


def test_no_more_evidence_than_the_limit_nor_after_the_decision(
    client, users, application, other_application
):
    for n in range(10):
        add_evidence(application, title=f"File {n}")
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("application-evidence-add", application.pk),
        {"file": upload("more.pdf", PDF), "title": "More"},
    )
    assert response.status_code == 302 and application.evidence.count() == 10
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.DECLINED)
    application.evidence.all().delete()
    response = client.post(
        url("application-evidence-add", application.pk),
        {"file": upload("more.pdf", PDF), "title": "More"},
    )
    assert response.status_code == 302 and not application.evidence.exists()
    assert_not_found(
        client, url("application-evidence-add", other_application.pk), [users[Role.SETTING_MANAGER]]
    )


# Judging -----------------------------------------------------------------------------------------


def test_judge_page_access(client, users, application):
    assert_access(client, url("application-judge", application.pk), users, allowed=[Role.MANAGER])


def _judge_data(application, **overrides):
    data = {}
    for answer in application.answers.all():
        data[f"judgement_{answer.pk}"] = CriterionJudgement.MET
        data[f"note_{answer.pk}"] = "Clear evidence."
    data.update(overrides)
    return data


def test_manager_judges_each_criterion(client, manager, application):
    client.force_login(manager)
    response = client.post(url("application-judge", application.pk), _judge_data(application))
    assert response.status_code == 302
    assert set(application.answers.values_list("judgement", flat=True)) == {"met"}
    assert application.answers.first().history.first().history_user == manager


def test_not_met_needs_a_note_and_nothing_is_saved_without_it(client, manager, application):
    answer = application.answers.get(criterion__code="autonomy")
    client.force_login(manager)
    data = _judge_data(
        application,
        **{f"judgement_{answer.pk}": CriterionJudgement.NOT_MET, f"note_{answer.pk}": ""},
    )
    response = client.post(url("application-judge", application.pk), data)
    assert_field_error(response, f"note_{answer.pk}", "Enter why Autonomy is not met")
    assert not application.answers.exclude(judgement="").exists()
    data[f"judgement_{answer.pk}"] = "brilliant"
    response = client.post(url("application-judge", application.pk), data)
    assert_field_error(response, f"judgement_{answer.pk}", "Choose met or not met for Autonomy")


# Deciding ----------------------------------------------------------------------------------------


def test_decide_page_access(client, users, application):
    assert_access(client, url("application-decide", application.pk), users, allowed=[Role.MANAGER])


def decide(client, application, **data):
    return client.post(url("application-decide", application.pk), data)


def test_accepting_needs_every_criterion_judged_and_met(client, manager, application):
    client.force_login(manager)
    response = decide(client, application, decision="accepted")
    assert_field_error(response, "decision", "Judge every entry criterion before accepting")
    judge_all(application)
    application.answers.filter(criterion__code="autonomy").update(
        judgement=CriterionJudgement.NOT_MET
    )
    response = decide(client, application, decision="accepted")
    assert_field_error(
        response,
        "decision",
        "An application is accepted only when every entry criterion is met: "
        "Autonomy is judged not met.",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Accreditation.objects.exists()


def test_accepting_opens_the_accreditation_with_its_history(
    client, manager, users, application, django_capture_on_commit_callbacks
):
    judge_all(application)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, application, decision="accepted", reason="A strong team.")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert application.decided_by == manager and application.decided_at is not None
    accreditation = Accreditation.objects.get()
    assert accreditation.application == application
    assert (accreditation.setting, accreditation.cohort) == (
        application.setting,
        application.cohort,
    )
    assert accreditation.status == Status.ACCEPTED
    assert accreditation.days_budget == Decimal("9.5")
    change = AccreditationStatusChange.objects.get()
    assert (change.from_status, change.to_status) == (Status.APPLIED, Status.ACCEPTED)
    assert change.changed_by == manager and change.reason == "A strong team."
    assert [m.subject for m in mail.outbox] == [
        "Little Acorns Day Nursery has been accepted into the 2026 cohort"
    ]
    assert mail.outbox[0].to == [users[Role.SETTING_MANAGER].email]
    html = client.get(application.get_absolute_url()).content.decode()
    assert accreditation.get_absolute_url() in html


def test_declining_needs_a_reason(client, manager, application, django_capture_on_commit_callbacks):
    client.force_login(manager)
    response = decide(client, application, decision="declined", reason=" ")
    assert_field_error(response, "reason", "Enter the reason for declining the application")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            client, application, decision="declined", reason="Reflection is not yet embedded."
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert application.decision_reason == "Reflection is not yet embedded."
    assert not Accreditation.objects.exists()
    assert len(mail.outbox) == 1
    assert "Reflection is not yet embedded." in mail.outbox[0].body
    # Decided: the pages no longer offer a decision or judgements.
    assert decide(client, application, decision="accepted").status_code == 302
    assert client.get(url("application-judge", application.pk)).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    # The setting now sees the decision, its reason and the judgements.
    client.force_login(application.submitted_by)
    html = client.get(application.get_absolute_url()).content.decode()
    assert "govuk-tag--red" in html and "Reflection is not yet embedded." in html
    assert "Not judged yet" in html


def test_a_full_cohort_refuses_acceptance(client, manager, application, cohort):
    AccreditationFactory.create_batch(2, cohort=cohort)  # capacity 2
    AccreditationFactory(cohort=cohort, status=Status.WITHDRAWN)  # holds no place
    judge_all(application)
    client.force_login(manager)
    response = decide(client, application, decision="accepted")
    assert_field_error(response, "decision", "The 2026 cohort is full: all 2 places are taken.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Accreditation.objects.filter(application=application).exists()


def test_waitlisted_applications_are_later_accepted_or_declined(
    client, manager, application, other_application, cohort, django_capture_on_commit_callbacks
):
    judge_all(application)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, application, decision="waitlisted")
        decide(client, other_application, decision="waitlisted")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITLISTED
    html = client.get(url("application-decide", application.pk)).content.decode()
    assert 'value="waitlisted"' not in html and 'value="accepted"' in html
    response = decide(client, application, decision="waitlisted")
    assert_field_error(response, "decision", "Choose one of the decisions listed")
    with django_capture_on_commit_callbacks(execute=True):
        decide(client, application, decision="accepted")
        decide(client, other_application, decision="declined", reason="The cohort filled up.")
    application.refresh_from_db()
    other_application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    assert other_application.status == ApplicationStatus.DECLINED
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 4
    assert all("is on the waiting list for the 2026 cohort" in s for s in subjects[:2])
    assert "has been accepted into the 2026 cohort" in subjects[2]
    assert subjects[3] == "Your KQM application for Other Setting Nursery"


def test_outcome_emails_are_sent_once(manager, application, django_capture_on_commit_callbacks):
    judge_all(application)
    with django_capture_on_commit_callbacks(execute=True):
        do_decide_application(decided_by=manager, application=application, decision="accepted")
    assert len(mail.outbox) == 1
    sent = SentEmail.objects.get()
    assert sent.key == f"application-accepted:{application.pk}"
    # The task running again (a retry, a redelivered message) sends nothing more.
    again = send_templated_email(
        key=sent.key,
        template="application_accepted",
        user_id=application.submitted_by_id,
        context={},
    )
    assert again is False and len(mail.outbox) == 1


def test_a_decided_application_cannot_be_decided_again_through_the_service(manager, application):
    judge_all(application)
    do_decide_application(decided_by=manager, application=application, decision="accepted")
    with pytest.raises(ValidationError) as error:
        do_decide_application(
            decided_by=manager, application=application, decision="declined", reason="No."
        )
    assert error.value.message_dict["decision"] == [
        "This application has already been accepted; its decision cannot change."
    ]
    assert Accreditation.objects.count() == 1


def test_setting_manager_removes_evidence_after_confirming(
    client, users, application, other_setting, django_capture_on_commit_callbacks
):
    evidence = add_evidence(application, title="Old floor plan")
    storage, name = evidence.file.storage, evidence.file.name
    path = url("application-evidence-remove", application.pk, evidence.pk)
    assert_access(client, path, users, allowed=[Role.SETTING_MANAGER])
    outsider: User = UserFactory(role=Role.SETTING_MANAGER, settings=[other_setting])
    assert_not_found(client, path, [outsider])

    client.force_login(users[Role.SETTING_MANAGER])
    assert url("application-evidence-remove", application.pk, evidence.pk) in (
        client.get(application.get_absolute_url()).content.decode()
    )
    html = client.get(path).content.decode()
    assert "Remove “Old floor plan”?" in html and application.evidence.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path)
    assert response.status_code == 302
    assert not application.evidence.exists()
    assert not storage.exists(name)
    removal = ApplicationEvidence.history.filter(id=evidence.pk, history_type="-").get()
    assert removal.history_user == users[Role.SETTING_MANAGER]
    assert client.put(path).status_code == 405


def test_evidence_cannot_be_removed_once_the_application_is_decided(client, users, application):
    evidence = add_evidence(application)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.DECLINED)
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(url("application-evidence-remove", application.pk, evidence.pk))
    assert response.status_code == 302
    assert application.evidence.filter(pk=evidence.pk).exists()
    html = client.get(application.get_absolute_url()).content.decode()
    assert "/remove/" not in html
