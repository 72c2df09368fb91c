"""The guided notes of visit the service starts with (the KQM manager can change them)."""

from django.db import migrations

NAME = "Notes of visit"
SECTIONS = [
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


def add_template(apps, schema_editor):
    NoteTemplate = apps.get_model("accreditation", "NoteTemplate")
    NoteTemplateSection = apps.get_model("accreditation", "NoteTemplateSection")
    template, created = NoteTemplate.objects.get_or_create(name=NAME)
    if created:
        for order, (title, prompt) in enumerate(SECTIONS, start=1):
            NoteTemplateSection.objects.create(
                template=template, order=order, title=title, prompt=prompt
            )


def remove_template(apps, schema_editor):
    apps.get_model("accreditation", "NoteTemplate").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("accreditation", "0003_accreditation_year")]

    operations = [migrations.RunPython(add_template, remove_template)]
