"""German lines around {timeframe}: outside the story frameworks the engine fills it with
"einige Wochen", which reads right as subject, object or measure ("einige Wochen lang",
"einige Wochen später", "ein Plan für einige Wochen") but not after a preposition that wants
the dative ("in einige Wochen"). In a story the slot is a gap the consultant fills with their
own words, in the case they need."""

import json
import re

from apps.content.engine import LIBRARY_DIR
from apps.content.engine.library import fill
from apps.content.engine.phrases import VAGUE_TIMEFRAMES
from apps.content.engine.truth import STORY_FRAMEWORKS

DATIVE_BEFORE_TIMEFRAME = re.compile(
    r"\b(?:in|nach|mit|binnen|seit|von|vor|zu|aus|bei)\s+\{timeframe\}", re.IGNORECASE
)


def german_lines():
    for path in sorted(LIBRARY_DIR.glob("*.json")):
        library = json.loads(path.read_text(encoding="utf-8"))
        if library["framework"] in STORY_FRAMEWORKS:
            continue
        for template in library["templates"]:
            for part in template.get("de", {}).values():
                for line in part if isinstance(part, list) else [part]:
                    if isinstance(line, str):
                        yield f"{path.name} {template['key']}", line


def test_no_german_line_puts_the_timeframe_after_a_dative_preposition():
    wrong = [
        (where, line) for where, line in german_lines() if DATIVE_BEFORE_TIMEFRAME.search(line)
    ]
    assert wrong == []


def test_the_how_to_hook_reads_right_with_the_vague_timeframe():
    line = "So bekommen Sie {topic} in den Griff: ein Plan für {timeframe}. In dieser Reihenfolge."
    assert any(line == text for _where, text in german_lines())
    filled = fill(
        line,
        {"_language": "de", "topic": "langsame Deployments", "timeframe": VAGUE_TIMEFRAMES["de"]},
    )
    assert filled == (
        "So bekommen Sie langsame Deployments in den Griff: ein Plan für einige Wochen. "
        "In dieser Reihenfolge."
    )
