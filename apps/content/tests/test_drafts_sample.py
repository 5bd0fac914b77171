import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.content import facts

PROFILE = {
    "name": "Maria",
    "headline": "Cloud architect for fintech",
    "areas": ["AWS", "Kubernetes"],
    "years_experience": 14,
    "industries": "fintech, insurance",
    "offers": ["architecture review"],
    "case_studies": [
        {
            "client_type": "payments scale-up",
            "problem": "an EKS bill doubling every quarter",
            "action": "Moved batch jobs to Karpenter-managed spot nodes",
            "results": "cut compute spend 38% in 4 months",
            "may_name": False,
            "client_name": "",
        }
    ],
    "tone": "direct",
    "language": "en",
}


def write(tmp_path, data, name="profile.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def sample(tmp_path, data, *args):
    out = tmp_path / "out.jsonl"
    call_command("drafts_sample", str(write(tmp_path, data)), "--output", str(out), *args)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_it_writes_one_draft_per_line_on_the_topic_asked_without_touching_the_database(tmp_path):
    # No db fixture: pytest-django raises on any query, so this proves the database is untouched.
    topic = "Karpenter vs Cluster Autoscaler on EKS"
    rows = sample(tmp_path, PROFILE, "--topic", topic, "--count", "12")

    assert len(rows) == 12
    assert {tuple(sorted(row)) for row in rows} == {
        ("framework", "gaps", "notices", "proof_points", "template", "text", "topic")
    }
    assert {row["topic"] for row in rows} == {topic}
    assert len({row["framework"] for row in rows}) == 12
    assert all(topic in " ".join(row["text"].split()) for row in rows)
    story = next(row for row in rows if row["framework"] == "story")
    assert story["proof_points"] == [
        {
            "action": "Moved batch jobs to Karpenter-managed spot nodes",
            "results": "cut compute spend 38% in 4 months",
        }
    ]
    assert all(row["gaps"] == [] for row in rows)


def test_a_profile_without_case_studies_gets_gaps_in_its_stories_and_german_on_request(tmp_path):
    bare = {**PROFILE, "case_studies": []}
    rows = sample(tmp_path, bare, "--count", "12", "--language", "de", "--topic", "FinOps")

    story = next(row for row in rows if row["framework"] == "story")
    assert story["gaps"]
    assert story["gaps"][0].startswith("[Ihr Beispiel:")
    assert story["gaps"] == facts.find_gaps(story["text"])
    assert all(row["proof_points"] == [] for row in rows)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold one JSON object"),
        ({**PROFILE, "hobbies": ["chess"]}, "unknown field(s) hobbies"),
        ({**PROFILE, "tone": "shouty"}, "tone must be one of"),
        ({**PROFILE, "years_experience": "many"}, "years_experience must be a whole number"),
        ({**PROFILE, "case_studies": [{"action": "Did it"}]}, "case study 1 needs"),
        ({**PROFILE, "case_studies": [{"action": "x", "results": "y", "x": 1}]}, "unknown"),
    ],
)
def test_a_bad_profile_file_is_refused_with_a_message_naming_the_problem(
    tmp_path, content, message
):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sample(tmp_path, content)
    assert not (tmp_path / "out.jsonl").exists()


def test_from_the_command_line_a_bad_file_is_one_line_on_stderr_and_a_non_zero_exit(tmp_path):
    path = write(tmp_path, {**PROFILE, "hobbies": []})
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    done = subprocess.run(
        [sys.executable, str(manage), "drafts_sample", str(path), "--output", "out.jsonl"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"DJANGO_SETTINGS_MODULE": "techlead.settings.test", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "unknown field(s) hobbies" in done.stderr
