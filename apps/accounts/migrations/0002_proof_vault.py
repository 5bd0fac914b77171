"""The proof vault: each old {title, outcome} case study becomes an entry with client type,
problem, what was done (the title), results (the outcome) and whether it may be named (no,
until the consultant says so)."""

from django.db import migrations, models


def _entry(old):
    if not isinstance(old, dict):
        return None
    if "action" in old or "results" in old:
        return old  # already an entry (the migration ran, or the row was saved since)
    title = str(old.get("title") or "").strip()
    outcome = str(old.get("outcome") or "").strip()
    if not (title or outcome):
        return None
    return {
        "client_type": "",
        "problem": "",
        "action": title,
        "results": outcome,
        "may_name": False,
        "client_name": "",
    }


def to_vault(apps, schema_editor):
    ExpertiseProfile = apps.get_model("accounts", "ExpertiseProfile")
    for profile in ExpertiseProfile.objects.exclude(case_studies=[]).iterator():
        cases = profile.case_studies if isinstance(profile.case_studies, list) else []
        entries = [e for e in (_entry(case) for case in cases) if e]
        if entries != profile.case_studies:
            profile.case_studies = entries
            profile.save(update_fields=["case_studies"])


def to_pairs(apps, schema_editor):
    ExpertiseProfile = apps.get_model("accounts", "ExpertiseProfile")
    for profile in ExpertiseProfile.objects.exclude(case_studies=[]).iterator():
        cases = profile.case_studies if isinstance(profile.case_studies, list) else []
        pairs = [
            {
                "title": case.get("action", case.get("title", "")),
                "outcome": case.get("results", case.get("outcome", "")),
            }
            for case in cases
            if isinstance(case, dict)
        ]
        profile.case_studies = pairs
        profile.save(update_fields=["case_studies"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="expertiseprofile",
            name="case_studies",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Case studies: client type, problem, what was done, results with "
                "numbers, and whether the client may be named.",
                verbose_name="case studies",
            ),
        ),
        migrations.RunPython(to_vault, to_pairs),
    ]
