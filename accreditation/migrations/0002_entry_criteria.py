"""The entry criteria of the Kent Quality Mark, editable by the KQM manager in the admin."""

from django.db import migrations

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


def add_criteria(apps, schema_editor):
    EntryCriterion = apps.get_model("accreditation", "EntryCriterion")
    for order, (code, title, question) in enumerate(CRITERIA, start=1):
        EntryCriterion.objects.update_or_create(
            code=code, defaults={"title": title, "question": question, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0001_initial")]

    operations = [migrations.RunPython(add_criteria, migrations.RunPython.noop)]
