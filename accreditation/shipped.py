"""What the service starts with, loaded by migrations; the KQM manager can change it later.

The mark's entry criteria (editable in the admin) and the guided notes of
visit template.
"""

from __future__ import annotations

from typing import Any

CRITERIA = [
    (
        "strong-practice",
        "Strong practice",
        "Describe the evidence that your practice is already strong: your latest Ofsted "
        "outcome, your ECERS/ITERS or other audits, and what children experience every day.",
    ),
    (
        "reflective-practitioners",
        "Reflective practitioners",
        "How do your staff reflect on their practice together? Give examples of changes "
        "you made after reflecting on observations of children.",
    ),
    (
        "autonomy",
        "Autonomy",
        "The mark relies on settings working independently with three half-day evaluator "
        "visits. How will you lead the action research and self-evaluation yourselves?",
    ),
]

NOTE_TEMPLATE = "Notes of visit"
NOTE_SECTIONS = [
    (
        "Progress since the last visit",
        "What has the setting done since the last visit? Which agreed actions are complete?",
    ),
    (
        "Unit A progress",
        "How are the two action-research case studies going? What do the Leuven screenings "
        "show, and which children are in the red or amber zone?",
    ),
    (
        "Unit B progress",
        "Leadership and management: the leadership audit, staff questionnaires, the "
        "self-evaluation and the improvement plan.",
    ),
    (
        "Evidence seen",
        "What did you see, read or hear during the visit that shows this progress?",
    ),
    (
        "Focus of the next visit",
        "What will the next visit look at, and what should the setting prepare?",
    ),
]


def add_entry_criteria(apps: Any, schema_editor: Any) -> None:
    entry_criterion = apps.get_model("accreditation", "EntryCriterion")
    for order, (code, title, question) in enumerate(CRITERIA, start=1):
        entry_criterion.objects.update_or_create(
            code=code, defaults={"title": title, "question": question, "order": order}
        )


def add_note_template(apps: Any, schema_editor: Any) -> None:
    note_template = apps.get_model("accreditation", "NoteTemplate")
    section_model = apps.get_model("accreditation", "NoteTemplateSection")
    template, created = note_template.objects.get_or_create(name=NOTE_TEMPLATE)
    if created:
        for order, (title, prompt) in enumerate(NOTE_SECTIONS, start=1):
            section_model.objects.create(template=template, order=order, title=title, prompt=prompt)


def remove_note_template(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accreditation", "NoteTemplate").objects.filter(name=NOTE_TEMPLATE).delete()
