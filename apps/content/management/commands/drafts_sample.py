"""Drafts for a profile given as JSON, without a web server or the database.

    manage.py drafts_sample PROFILE.json --output OUT.jsonl [--topic TEXT ...] [--count N]
                            [--language en|de]

PROFILE.json holds the expertise profile form's fields (any may be left out):

    {"name": "Maria", "headline": "Cloud architect", "areas": ["AWS", "Kubernetes"],
     "years_experience": 14, "industries": ["fintech"], "offers": ["architecture review"],
     "case_studies": [{"client_type": "payments scale-up", "problem": "...",
                       "action": "Moved batch jobs to spot", "results": "cut spend 38%",
                       "may_name": false, "client_name": ""}],
     "tone": "direct", "language": "en"}

Each line of OUT.jsonl is one draft: text, topic, framework, template, the proof points it
used, the gaps it left for the consultant and the notices the editor shows (a topic without
vocabulary, English case studies quoted in a German draft). The template library is read from
its files and nothing is written to the database, so it is safe against a production settings
module.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.accounts import proof_vault
from apps.accounts.models import ExpertiseProfile
from apps.content import engine, facts
from apps.content.generation import (
    FRAMEWORKS,
    GenerationRequest,
    ProfileSnapshot,
    generate_post,
    load_library,
)

PROFILE_FIELDS = {
    "name",
    "headline",
    "areas",
    "years_experience",
    "industries",
    "offers",
    "case_studies",
    "tone",
    "language",
}
LIST_FIELDS = ("areas", "industries", "offers")
MAX_COUNT = 1000


class Command(BaseCommand):
    help = "Write sample drafts for a profile given as JSON, one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("profile", help="the profile as a JSON file")
        parser.add_argument("--output", required=True, help="where to write the JSON lines")
        parser.add_argument(
            "--topic",
            action="append",
            default=[],
            help="a topic to write about; repeat for several (default: suggested topics)",
        )
        parser.add_argument("--count", type=int, default=12, help="how many drafts (12)")
        parser.add_argument("--language", choices=engine.LANGUAGES, help="en or de")

    def handle(self, *args, **options):
        if not 1 <= options["count"] <= MAX_COUNT:
            raise CommandError(f"--count must be between 1 and {MAX_COUNT}.")
        profile = profile_from_file(Path(options["profile"]), language=options["language"])
        rows = sample_rows(profile, topics=options["topic"], count=options["count"])
        output = Path(options["output"])
        try:
            with output.open("w", encoding="utf-8") as stream:
                for row in rows:
                    stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        gaps = sum(bool(row["gaps"]) for row in rows)
        self.stdout.write(f"Wrote {len(rows)} drafts to {output} ({gaps} with a gap to fill).")


def profile_from_file(path: Path, *, language: str | None = None) -> ProfileSnapshot:
    """The profile in `path`, checked like the profile form checks it; CommandError (one
    line, naming the problem) for anything else."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CommandError(f"{path} is not valid JSON: {error}.") from error
    return profile_from_dict(data, source=str(path), language=language)


def profile_from_dict(data: object, *, source: str, language: str | None = None):
    if not isinstance(data, dict):
        raise CommandError(f"{source} must hold one JSON object (the profile's fields).")
    unknown = sorted(set(data) - PROFILE_FIELDS)
    if unknown:
        raise CommandError(
            f"{source}: unknown field(s) {', '.join(unknown)}; "
            f"use {', '.join(sorted(PROFILE_FIELDS))}."
        )
    lists = {}
    for name in LIST_FIELDS:
        value = data.get(name, [])
        if isinstance(value, str):
            value = [item.strip() for item in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CommandError(f"{source}: {name} must be a list of texts.")
        lists[name] = [v.strip() for v in value if v.strip()]
    years = data.get("years_experience")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool) or years < 0):
        raise CommandError(f"{source}: years_experience must be a whole number, 0 or more.")
    for name in ("name", "headline"):
        if not isinstance(data.get(name, ""), str):
            raise CommandError(f"{source}: {name} must be a text.")
    tone = data.get("tone", ExpertiseProfile.Tone.DIRECT)
    if tone not in ExpertiseProfile.Tone.values:
        raise CommandError(f"{source}: tone must be one of {', '.join(ExpertiseProfile.Tone)}.")
    language = language or data.get("language", ExpertiseProfile.Language.EN)
    if language not in engine.LANGUAGES:
        raise CommandError(f"{source}: language must be one of {', '.join(engine.LANGUAGES)}.")
    return ProfileSnapshot(
        name=data.get("name", ""),
        headline=data.get("headline", ""),
        areas=lists["areas"],
        years_experience=years,
        industries=lists["industries"],
        offers=lists["offers"],
        case_studies=_case_studies(data.get("case_studies", []), source),
        tone=tone,
        language=language,
    )


def _case_studies(value: object, source: str) -> list[dict]:
    if not isinstance(value, list):
        raise CommandError(f"{source}: case_studies must be a list of case studies.")
    cases = []
    for number, case in enumerate(value, start=1):
        if not isinstance(case, dict):
            raise CommandError(f"{source}: case study {number} must be an object.")
        unknown = sorted(set(case) - set(proof_vault.FIELDS))
        if unknown:
            raise CommandError(
                f"{source}: case study {number} has unknown field(s) {', '.join(unknown)}; "
                f"use {', '.join(proof_vault.FIELDS)}."
            )
        entry = proof_vault.entry_from(case)
        if not entry or not entry["action"] or not entry["results"]:
            raise CommandError(
                f"{source}: case study {number} needs what was done (action) and its results."
            )
        cases.append(entry)
    return cases


def sample_rows(profile: ProfileSnapshot, *, topics: list[str], count: int) -> list[dict]:
    """`count` drafts, frameworks in turn, topics in turn (suggested ones when none given)."""
    templates = load_library()
    topics = [" ".join(t.split()) for t in topics if t.strip()]
    frameworks = list(FRAMEWORKS)
    points = engine.proof_points(profile)
    rows = []
    for index in range(count):
        request = GenerationRequest(
            profile=profile,
            topic=topics[index % len(topics)] if topics else None,
            framework=frameworks[index % len(frameworks)],
            seed=index,
        )
        post = generate_post(request, templates=templates, backend="template")
        text = post.text.lower()
        rows.append(
            {
                "text": post.text,
                "topic": post.topic,
                "framework": post.framework,
                "template": post.template_key,
                "proof_points": [
                    {"action": p.title, "results": p.outcome}
                    for p in points
                    if p.title.lower() in text or p.outcome.lower() in text
                ],
                "gaps": facts.find_gaps(post.text),
                # What the editor would tell the consultant about this draft.
                "notices": engine.draft_notices(profile, post.topic, post.text),
            }
        )
    return rows
