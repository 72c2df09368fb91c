"""Unit A case studies: drafts (sanitised rich text, autosave), evidence, submit, review."""

# Fixtures are imported from year_factories, so test arguments share their names.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accreditation.models import (
    CaseStudy,
    CaseStudyEvidence,
    CaseStudyStatus,
    CaseStudyVersion,
    Decision,
    SectionReview,
)
from accreditation.models.case_studies import SECTION_KEYS
from accreditation.pipeline import MoveConflict
from accreditation.richtext import diff, sanitise, to_text
from accreditation.services.case_studies import (
    CASE_STUDY_TABLE,
    SectionJudgement,
    move_case_study,
)
from audits.models import ChildDataAccess
from kqm.models import Role
from tests.access import assert_access, assert_field_error, assert_not_found
from tests.factories import EvaluatorFactory, UserFactory
from tests.status_walk import each_pair

from .programme_helpers import HTML, WINDOWS_EXE
from .year_factories import (  # noqa: F401
    PDF,
    _media_in_tmp,
    accreditation,
    case_study_post,
    cohort,
    elsewhere,
    evaluator,
    leuven_child,
    make_case_study,
    pdf_upload,
)

pytestmark = pytest.mark.django_db

READERS = [Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER]
WRITERS = [Role.SETTING_MANAGER, Role.PRACTITIONER]


def url(name: str, accreditation, number: int = 1, *more: int) -> str:
    return reverse(f"accreditation:{name}", args=[accreditation.pk, number, *more])


def evidence_post(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "file": pdf_upload(),
        "title": "Observation notes, garden",
        "effective_date_0": "14",
        "effective_date_1": "10",
        "effective_date_2": "2025",
    }
    data.update(extra)
    return data


def review_post(decision: str = Decision.ACCEPTED, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {"decision": decision, "feedback": ""}
    for key in ("context", "baseline", "change", "observations", "outcome", "reflection"):
        data[f"verdict_{key}"] = "meets"
        data[f"comment_{key}"] = ""
    data.update(extra)
    return data


# --- Access ------------------------------------------------------------------------------------


def test_case_study_pages_access(client, users, accreditation):
    case_study = make_case_study(accreditation)
    evidence = CaseStudyEvidence.objects.create(
        case_study=case_study,
        title="Notes",
        effective_date="2025-10-14",
        file=SimpleUploadedFile("x.pdf", PDF),
        original_name="notes.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=users[Role.SETTING_MANAGER],
    )
    assert_access(client, url("case-study-detail", accreditation), users, READERS)
    assert_access(client, url("case-study-detail", accreditation, 2), users, READERS)  # not started
    assert_access(client, url("case-study-edit", accreditation), users, WRITERS)
    assert_access(client, url("case-study-check", accreditation), users, WRITERS)
    assert_access(client, url("case-study-evidence-add", accreditation), users, WRITERS)
    assert_access(client, url("case-study-evidence", accreditation, 1, evidence.pk), users, READERS)
    assert_access(
        client, url("case-study-evidence-delete", accreditation, 1, evidence.pk), users, WRITERS
    )
    assert_access(
        client,
        url("case-study-autosave", accreditation),
        users,
        WRITERS,
        method="POST",
        data={"revision": "x"},
        ok_status=400,
        wrong_method="GET",
    )
    CaseStudy.objects.filter(pk=case_study.pk).update(revision=99)  # every submit is stale
    assert_access(
        client,
        url("case-study-submit", accreditation),
        users,
        [Role.SETTING_MANAGER],
        method="POST",
        data={"revision": "0"},
        ok_status=409,
        wrong_method="GET",
    )
    CaseStudy.objects.filter(pk=case_study.pk).update(status=CaseStudyStatus.SUBMITTED)
    CaseStudyVersion.objects.create(
        case_study=case_study,
        number=1,
        content={"title": "Outdoor play", "sections": {}, "evidence": []},
        submitted_by=users[Role.SETTING_MANAGER],
        submitted_at="2026-01-10T10:00:00Z",
    )
    assert_access(
        client, url("case-study-review", accreditation), users, [Role.MANAGER, Role.EVALUATOR]
    )
    assert_access(client, url("case-study-version", accreditation, 1, 1), users, READERS)


def test_another_settings_case_studies_are_not_found(client, users, elsewhere):
    case_study = make_case_study(elsewhere)
    evidence = CaseStudyEvidence.objects.create(
        case_study=case_study,
        title="Notes",
        effective_date="2025-10-14",
        file=SimpleUploadedFile("x.pdf", PDF),
        original_name="notes.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=users[Role.MANAGER],
    )
    staff = [users[Role.SETTING_MANAGER], users[Role.PRACTITIONER]]
    everyone = [*staff, users[Role.EVALUATOR]]
    assert_not_found(client, url("case-study-detail", elsewhere), everyone)
    assert_not_found(client, url("case-study-evidence", elsewhere, 1, evidence.pk), everyone)
    assert_not_found(client, url("case-study-edit", elsewhere), staff)
    assert_not_found(client, url("case-study-autosave", elsewhere), staff, method="POST")
    assert_not_found(client, url("case-study-evidence-add", elsewhere), staff, method="POST")
    assert_not_found(
        client, url("case-study-evidence-delete", elsewhere, 1, evidence.pk), staff, method="POST"
    )
    assert_not_found(client, url("case-study-submit", elsewhere), staff[:1], method="POST")
    assert_not_found(client, url("case-study-review", elsewhere), [users[Role.EVALUATOR]])
    assert_not_found(client, url("case-study-detail", elsewhere, 3), [users[Role.MANAGER]])


# --- Drafting ----------------------------------------------------------------------------------


def test_a_practitioner_starts_the_draft_and_the_setting_manager_carries_on(
    client, users, accreditation
):
    client.force_login(users[Role.PRACTITIONER])
    response = client.post(url("case-study-edit", accreditation), case_study_post())
    assert response.status_code == 302
    case_study = CaseStudy.objects.get(accreditation=accreditation, number=1)
    assert case_study.status == CaseStudyStatus.DRAFT and case_study.revision == 1
    assert case_study.context == (
        "<p>We are a 40-place nursery. Our ECERS audit showed little gross-motor play.</p>"
    )
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("case-study-edit", accreditation),
        case_study_post(revision=1, title="Outdoor play, boys aged two"),
    )
    case_study.refresh_from_db()
    assert case_study.title == "Outdoor play, boys aged two" and case_study.revision == 2


def test_rich_text_is_sanitised(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    dirty = (
        '<p onclick="steal()">We <strong>changed</strong> the garden.</p>'
        "<script>alert(document.cookie)</script>"
        '<img src="x" onerror="alert(1)">'
        '<a href="javascript:alert(1)" onmouseover="x()">link</a>'
        '<ul><li style="color:red">Ramps</li></ul>'
        "<iframe src='https://evil.example'></iframe>"
    )
    client.post(url("case-study-edit", accreditation), case_study_post(change=dirty))
    stored = CaseStudy.objects.get().change
    for bad in (
        "script",
        "alert",
        "onclick",
        "onerror",
        "onmouseover",
        "javascript:",
        "style",
        "img",
        "iframe",
    ):
        assert bad not in stored, bad
    assert "<strong>changed</strong>" in stored and "<li>Ramps</li>" in stored
    html = client.get(url("case-study-detail", accreditation)).content.decode()
    assert "<strong>changed</strong>" in html and "alert(" not in html


def test_sanitise_keeps_paragraphs_and_safe_links():
    assert sanitise("First line\nsecond\n\nNew <b>paragraph</b>") == (
        "<p>First line<br>second</p><p>New <b>paragraph</b></p>"
    )
    assert sanitise("Plain & simple") == "<p>Plain &amp; simple</p>"
    assert sanitise('<a href="https://example.org">site</a>') == (
        '<p><a href="https://example.org" rel="noopener noreferrer">site</a></p>'
    )
    assert sanitise("<div>One</div><div>Two</div>") == "<p>One</p><p>Two</p>"
    assert sanitise("<script>x</script>") == ""
    assert to_text("<ul><li>A</li><li>B</li></ul><p>C &amp; D</p>") == "• A\n• B\nC & D"


def test_the_difference_between_versions_is_escaped_words():
    html = str(
        diff(
            "<p>We opened the garden.</p>",
            "<p>We opened the <b>whole</b> garden &lt;script&gt;</p>",
        )
    )
    assert '<ins class="kqm-diff-ins">' in html and "whole" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    removed = str(diff("<p>Old words here.</p>", "<p>New words here.</p>"))
    assert "<del" in removed and "Old" in removed and "<ins" in removed


def test_autosave_and_stale_writes(client, users, accreditation):
    client.force_login(users[Role.SETTING_MANAGER])
    autosave = url("case-study-autosave", accreditation)
    first = client.post(autosave, case_study_post(title="First tab"))
    assert first.status_code == 200 and first.json()["revision"] == 1
    second = client.post(autosave, case_study_post(title="Second tab, opened earlier"))
    assert second.status_code == 409
    assert second.json()["conflict"] is True
    assert "saved a newer version" in second.json()["message"]
    assert CaseStudy.objects.get().title == "First tab"
    plain = client.post(url("case-study-edit", accreditation), case_study_post(title="Old tab"))
    assert plain.status_code == 409 and "saved a newer version" in plain.content.decode()
    assert CaseStudy.objects.get().title == "First tab"


def test_the_focus_child_is_chosen_by_code_with_their_leuven_scores(client, users, accreditation):
    child, (autumn, spring) = leuven_child(accreditation.setting)
    _other_child, (other_score, _) = leuven_child(accreditation.setting)
    client.force_login(users[Role.SETTING_MANAGER])
    page = client.get(url("case-study-edit", accreditation)).content.decode()
    assert child.code in page and "well-being 2 (low), involvement 3 (moderate)" in page
    bad = client.post(
        url("case-study-edit", accreditation),
        case_study_post(focus_child=child.pk, baseline_score=other_score.pk),
    )
    assert_field_error(bad, "baseline_score", f"Choose one of {child.code}’s own scores")
    backwards = client.post(
        url("case-study-edit", accreditation),
        case_study_post(focus_child=child.pk, baseline_score=spring.pk, follow_up_score=autumn.pk),
    )
    assert_field_error(
        backwards,
        "follow_up_score",
        "The follow-up score must come from a later screening than the baseline",
    )
    assert not CaseStudy.objects.exists()
    client.post(
        url("case-study-edit", accreditation),
        case_study_post(focus_child=child.pk, baseline_score=autumn.pk, follow_up_score=spring.pk),
    )
    case_study = CaseStudy.objects.get()
    assert (case_study.focus_child, case_study.baseline_score, case_study.follow_up_score) == (
        child,
        autumn,
        spring,
    )
    ChildDataAccess.objects.all().delete()
    client.get(url("case-study-detail", accreditation))
    assert ChildDataAccess.objects.get().user == users[Role.SETTING_MANAGER]


# --- Evidence ------------------------------------------------------------------------------------


def test_evidence_is_added_with_a_title_and_date_and_served_only_to_those_allowed(
    client, users, accreditation, elsewhere
):
    client.force_login(users[Role.PRACTITIONER])
    response = client.post(url("case-study-evidence-add", accreditation), evidence_post())
    assert response.status_code == 302
    evidence = CaseStudyEvidence.objects.get()
    assert (evidence.title, str(evidence.effective_date)) == (
        "Observation notes, garden",
        "2025-10-14",
    )
    assert evidence.content_type == "application/pdf"
    assert "observations" not in evidence.file.name  # stored under a name of ours
    download = url("case-study-evidence", accreditation, 1, evidence.pk)
    client.force_login(users[Role.EVALUATOR])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(users[Role.VIEWER])
    assert client.get(download).status_code == 403
    stranger = UserFactory(role=Role.SETTING_MANAGER, settings=[elsewhere.setting])
    client.force_login(stranger)
    assert client.get(download).status_code == 404
    client.force_login(EvaluatorFactory())
    assert client.get(download).status_code == 404
    # The file is never reachable at a public address.
    client.logout()
    assert client.get(f"/media/{evidence.file.name}").status_code in (302, 404)
    assert client.get(download).status_code == 302  # sign in first


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "report.pdf",
            WINDOWS_EXE,
            "The selected file is a program, not a document. "
            "Upload a PDF, Word, Excel, PowerPoint, JPEG or PNG file.",
        ),
        (
            "notes.html",
            HTML,
            "The selected file is a web page (HTML), which could run code. "
            "Upload a PDF, Word, Excel, PowerPoint, JPEG or PNG file.",
        ),
    ],
)
def test_dangerous_files_are_refused_with_a_clear_message(
    client, users, accreditation, name, content, message
):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("case-study-evidence-add", accreditation),
        evidence_post(file=SimpleUploadedFile(name, content)),
    )
    assert_field_error(response, "file", message)
    assert not CaseStudyEvidence.objects.exists()
    assert "Observation notes, garden" in response.content.decode()


def test_an_oversized_file_is_refused(client, users, accreditation, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(
        url("case-study-evidence-add", accreditation),
        evidence_post(file=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)),
    )
    assert_field_error(
        response, "file", "The selected file must be smaller than 1 KB (it is 2 KB)."
    )
    assert not CaseStudyEvidence.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title for the file"),
        ({"file": ""}, "file", "Select a file"),
        (
            {"effective_date_0": "", "effective_date_1": "", "effective_date_2": ""},
            "effective_date",
            "Enter the date of the evidence",
        ),
        (
            {"effective_date_2": "2099"},
            "effective_date",
            "The date of the evidence must be today or in the past",
        ),
    ],
)
def test_evidence_form_bad_input(client, users, accreditation, data, field, message):
    client.force_login(users[Role.SETTING_MANAGER])
    response = client.post(url("case-study-evidence-add", accreditation), evidence_post(**data))
    assert_field_error(response, field, message)
    assert not CaseStudyEvidence.objects.exists()


# --- Submit, review, resubmit --------------------------------------------------------------


def submit(client, accreditation, number: int = 1):
    case_study = CaseStudy.objects.get(accreditation=accreditation, number=number)
    return client.post(
        url("case-study-submit", accreditation, number), {"revision": case_study.revision}
    )


def test_check_your_answers_then_submit(
    client, users, accreditation, evaluator, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.SETTING_MANAGER])
    client.post(url("case-study-edit", accreditation), case_study_post(reflection=""))
    page = client.get(url("case-study-check", accreditation)).content.decode()
    assert "Before it can be submitted, complete: Reflection and next steps." in page
    assert "Submit case study 1" not in page
    response = submit(client, accreditation)
    assert response.status_code == 409
    assert (
        "Complete every part before submitting: Reflection and next steps."
        in response.content.decode()
    )
    client.post(url("case-study-edit", accreditation), case_study_post(revision=1))
    client.post(url("case-study-evidence-add", accreditation), evidence_post())
    page = client.get(url("case-study-check", accreditation)).content.decode()
    assert "Submit case study 1" in page and "Observation notes, garden" in page
    assert f'href="{url("case-study-edit", accreditation)}#id_outcome"' in page
    client.force_login(users[Role.PRACTITIONER])
    page = client.get(url("case-study-check", accreditation)).content.decode()
    assert "Your setting manager submits the case study" in page
    assert submit(client, accreditation).status_code == 403
    client.force_login(users[Role.SETTING_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, accreditation)
    assert response.status_code == 302
    case_study = CaseStudy.objects.get()
    assert case_study.status == CaseStudyStatus.SUBMITTED
    version = case_study.versions.get()
    assert version.content["title"] == "Outdoor play for our two-year-old boys"
    assert [e["title"] for e in version.content["evidence"]] == ["Observation notes, garden"]
    assert mail.outbox[-1].to == [evaluator.email]
    assert "Case study 1 submitted" in mail.outbox[-1].subject
    # Submitted: no more changes from the setting.
    assert client.get(url("case-study-edit", accreditation)).status_code == 302
    assert (
        client.post(
            url("case-study-autosave", accreditation), case_study_post(revision=3)
        ).status_code
        == 409
    )


def test_review_return_resubmit_and_accept_keeps_every_version(
    client, users, accreditation, evaluator, django_capture_on_commit_callbacks
):
    manager_of_setting = users[Role.SETTING_MANAGER]
    client.force_login(manager_of_setting)
    client.post(url("case-study-edit", accreditation), case_study_post())
    client.post(url("case-study-evidence-add", accreditation), evidence_post())
    submit(client, accreditation)

    client.force_login(evaluator)
    review = url("case-study-review", accreditation)
    page = client.get(review).content.decode()
    assert "We opened the garden all day and added loose parts." in page
    response = client.post(review, review_post(verdict_outcome="needs_more_work"))
    assert_field_error(response, "comment_outcome", "Say what more “Outcome” needs")
    response = client.post(
        review,
        review_post(
            Decision.ACCEPTED, verdict_outcome="needs_more_work", comment_outcome="Scores?"
        ),
    )
    assert_field_error(
        response, "decision", "To accept the case study, every section must meet the standard"
    )
    response = client.post(review, review_post(Decision.RETURNED))
    assert_field_error(
        response, "decision", "To return the case study, mark the sections that need more work"
    )
    assert not SectionReview.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review,
            review_post(
                Decision.RETURNED,
                verdict_outcome="needs_more_work",
                comment_outcome="Give the follow-up Leuven scores.",
                feedback="A good start.",
            ),
        )
    assert response.status_code == 302
    case_study = CaseStudy.objects.get()
    assert case_study.status == CaseStudyStatus.RETURNED
    assert mail.outbox[-1].to == [manager_of_setting.email]
    assert "returned with feedback" in mail.outbox[-1].subject

    client.force_login(manager_of_setting)
    page = client.get(url("case-study-edit", accreditation)).content.decode()
    assert "Give the follow-up Leuven scores." in page
    client.post(
        url("case-study-edit", accreditation),
        case_study_post(
            revision=case_study.revision,
            outcome="Involvement rose from 3 to 4; well-being from 2 to 4.",
        ),
    )
    # Evidence submitted with version 1 is kept with it.
    evidence = CaseStudyEvidence.objects.get()
    client.post(url("case-study-evidence-delete", accreditation, 1, evidence.pk))
    assert CaseStudyEvidence.objects.filter(pk=evidence.pk).exists()
    submit(client, accreditation)
    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.SUBMITTED
    assert list(case_study.versions.values_list("number", flat=True)) == [1, 2]

    client.force_login(evaluator)
    page = client.get(review).content.decode()
    assert "What changed since the previous version" in page
    assert '<ins class="kqm-diff-ins">' in page and "well-being" in page
    assert "Give the follow-up Leuven scores." in page  # their earlier comment
    client.post(review, review_post(Decision.ACCEPTED))
    case_study.refresh_from_db()
    assert case_study.status == CaseStudyStatus.ACCEPTED
    first, second = case_study.versions.order_by("number")
    assert first.content["sections"]["outcome"] == "<p>Involvement rose from 3 to 4.</p>"
    assert first.decision == Decision.RETURNED and second.decision == Decision.ACCEPTED
    version_page = client.get(url("case-study-version", accreditation, 1, 2)).content.decode()
    assert "What changed since version 1" in version_page
    client.force_login(manager_of_setting)
    assert client.get(url("case-study-edit", accreditation)).status_code == 302
    assert "Accepted" in client.get(url("case-study-detail", accreditation)).content.decode()


def test_review_is_only_for_a_submitted_case_study(client, evaluator, accreditation):
    make_case_study(accreditation)
    client.force_login(evaluator)
    assert client.get(url("case-study-review", accreditation)).status_code == 302
    assert client.post(url("case-study-review", accreditation), review_post()).status_code == 302
    assert not CaseStudyVersion.objects.exists()


# --- The status table --------------------------------------------------------------------------


def _judgements(decision: str) -> dict[str, SectionJudgement]:
    judgements = {key: SectionJudgement("meets", "") for key in SECTION_KEYS}
    if decision == Decision.RETURNED:
        judgements["outcome"] = SectionJudgement("needs_more_work", "Add the scores.")
    return judgements


def _case_study_params(case_study, target: str) -> dict[str, object]:
    decision = Decision.ACCEPTED if target == CaseStudyStatus.ACCEPTED else Decision.RETURNED
    return {
        "revision": case_study.revision,
        "judgements": _judgements(decision),
        "decision": decision,
        "feedback": "Thank you.",
    }


def test_every_status_and_move_of_a_case_study_is_made_or_refused_with_a_clear_message(
    users, accreditation, evaluator, django_capture_on_commit_callbacks
):
    """The case study's table walked pair by pair: the setting manager submits, the evaluator
    returns or accepts; each legal move keeps a version and emails the other side."""
    case_study = make_case_study(accreditation)
    setting_manager = users[Role.SETTING_MANAGER]
    move_case_study(case_study, CaseStudyStatus.SUBMITTED, actor=setting_manager, revision=0)
    for source, target, rule in each_pair(CASE_STUDY_TABLE, case_study):
        actor = setting_manager if target == CaseStudyStatus.SUBMITTED else evaluator
        params = _case_study_params(case_study, target)
        if rule is None:
            with pytest.raises(ValidationError) as refused:
                move_case_study(case_study, target, actor=actor, **params)
            assert refused.value.messages[0].startswith("This case study"), (source, target)
            case_study.refresh_from_db()
            assert case_study.status == source
            continue
        wrong = evaluator if actor == setting_manager else setting_manager
        with pytest.raises(ValidationError, match="Only the setting"):
            move_case_study(case_study, target, actor=wrong, **params)
        if source == CaseStudyStatus.SUBMITTED:  # each review judges a version of its own
            CaseStudyVersion.objects.create(
                case_study=case_study,
                number=case_study.versions.count() + 1,
                content={},
                submitted_by=setting_manager,
                submitted_at=timezone.now(),
            )
        versions, sent = case_study.versions.count(), len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            version = move_case_study(case_study, target, actor=actor, **params)
        case_study.refresh_from_db()
        assert case_study.status == target, (source, target)
        if target == CaseStudyStatus.SUBMITTED:
            assert case_study.versions.count() == versions + 1
            assert mail.outbox[-1].to == [evaluator.email]
        else:
            assert version.decision == params["decision"]
            assert mail.outbox[-1].to == [setting_manager.email]
        assert len(mail.outbox) == sent + 1
        assert case_study.history.first().history_change_reason.startswith(
            f"Version {version.number} "
        )


def test_two_reviews_of_one_case_study_give_one_winner_and_a_plain_message(
    client, users, accreditation, evaluator
):
    """Two reviewers open the submitted case study; the second decision is refused plainly."""
    case_study = make_case_study(accreditation)
    move_case_study(
        case_study, CaseStudyStatus.SUBMITTED, actor=users[Role.SETTING_MANAGER], revision=0
    )
    first, second = CaseStudy.objects.get(), CaseStudy.objects.get()  # both see "submitted"
    move_case_study(
        first,
        CaseStudyStatus.ACCEPTED,
        actor=evaluator,
        **_case_study_params(first, CaseStudyStatus.ACCEPTED),
    )
    with pytest.raises(MoveConflict, match="has just been moved to “Accepted”"):
        move_case_study(
            second,
            CaseStudyStatus.RETURNED,
            actor=users[Role.MANAGER],
            **_case_study_params(second, CaseStudyStatus.RETURNED),
        )
    assert CaseStudy.objects.get().versions.get().decision == Decision.ACCEPTED
    # Through the page: the loser is told where the case study is, never an error page.
    client.force_login(users[Role.MANAGER])
    response = client.post(url("case-study-review", accreditation), review_post(), follow=True)
    assert response.status_code == 200
    assert "not waiting for a review" in response.content.decode()
