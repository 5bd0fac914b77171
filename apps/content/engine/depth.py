"""Depth: paragraphs in the framework's voice that bring a short draft to the length readers
finish, never stating a fact nobody gave."""

import random
import re
from collections import Counter

from apps.content import facts, linter
from apps.content.engine.library import CASE_SLOTS, fill, framework_depth, resolve, slots_in
from apps.content.engine.truth import UNKNOWN_FACT, from_vault
from apps.content.engine.vocabulary import fits_comparison, truthful_lexicon

# The linter's sweet spot is 900 to 1,600 characters. A draft shorter than its target (drawn
# per post from this range, so lengths vary) gets depth paragraphs until it reaches it, never
# past the ceiling; the spread of the base drafts and of a paragraph keeps the result inside.
DEPTH_TARGET = (1000, 1150)
DEPTH_CEILING = 1500
DEPTH_MAX_PARAGRAPH = 270  # under the linter's 280 for one paragraph


# Depth for any framework: questions and advice, so a draft that lost an invented story still
# reaches the length readers finish without stating anything the consultant did not give.
GENERIC_DEPTH = {
    "en": [
        "A question worth asking your team about {topic}: if {metric} were the only number "
        "that counted, what would you stop doing tomorrow?",
        # The problem goes last, as in German: a case study's problem can be a long line of
        # notes ("alert fatigue (300 pages a week, most of them noise)"), which reads at the
        # end of a sentence, not in its middle.
        "Before changing anything, I'd write down what this problem costs you today, in hours "
        "and in trust: {pain}. Without a baseline, every fix looks good.",
        "Ask your team about {topic}: where does it hurt most today? The answer is rarely the "
        "one on the roadmap, and it is the cheapest place to start.",
        "A test for any plan on {topic}: can the people who run it explain why, in a few "
        "sentences, without a slide?",
        "A question for your next planning meeting on {topic}: who owns {metric}, and what "
        "would change if it moved? Ownership tends to decide more than tooling does.",
        "The trap with {topic}: solving it for the slide deck. Solve it for the person who "
        "is on call this weekend, and the deck takes care of itself.",
    ],
    "de": [
        # The vocabulary's German metrics are labels without an article ("Zahl langlebiger
        # Access Keys"): they stand after a colon or as the name of "die Kennzahl".
        "Eine Frage, die ich jedem Team zu {topic} stelle: Wenn nur eine Kennzahl zählen "
        "würde, {metric}, womit würden Sie morgen aufhören?",
        "Bevor sich etwas ändert, würde ich aufschreiben, was dieses Problem heute kostet, an "
        "Stunden und an Vertrauen: {pain}. Ohne einen Ausgangswert sieht jede Lösung gut aus.",
        "Fragen Sie Ihr Team zu {topic}: Wo tut es heute am meisten weh? Die Antwort steht "
        "selten auf der Roadmap, und dort ist der Anfang am günstigsten.",
        "Ein Test für jeden Plan zu {topic}: Können die Leute, die ihn umsetzen, das Warum in "
        "wenigen Sätzen erklären, ohne Folie?",
        "Eine Frage für den nächsten Planungstermin zu {topic}: Wer verantwortet die "
        "Kennzahl „{metric}“, und was ändert sich, wenn sich der Wert bewegt? Zuständigkeit "
        "entscheidet meist mehr als Tools.",
        "Die Falle bei {topic}: es für die Folien zu lösen. Lösen Sie es für die Person mit "
        "Rufbereitschaft am Wochenende, dann stimmen die Folien von allein.",
    ],
}


def _depth_context(context: dict[str, str], rng: random.Random) -> dict[str, str]:
    """The vocabulary values the template's own slots did not take, for depth paragraphs."""
    language = context["_language"]
    lexicon = truthful_lexicon(context["_key"] or None, language)

    def other(options: tuple, taken: str, part: int = 0) -> tuple:
        rest = [o for o in options if (o[part] if isinstance(o, tuple) else o) != taken]
        return rng.choice(rest or list(options))

    mistake, fix = other(lexicon.lessons, context["mistake"])
    myth, reality = other(lexicon.myths, context["myth"])
    decision, alternative, reason = other(lexicon.decisions, context["decision"])
    industries = context["_industries"].split("\n") if context["_industries"] else []
    return {
        **context,
        "industry": other(tuple(industries), context["industry"])
        if industries
        else context["industry"],
        "example_mistake": mistake,
        "example_fix": fix,
        "example_win": UNKNOWN_FACT,  # a second client story would be an invented one
        # Beside a story whose case study gives no problem, a pain of the area ("How it
        # shows: …") would read as the client's.
        "example_pain": UNKNOWN_FACT
        if context.get("_problem_untold")
        else other(lexicon.pains, context["pain"]),
        "other_metric": other(lexicon.metrics, context["metric"]),
        "other_myth": myth,
        "other_reality": reality,
        "other_decision": decision,
        "other_alternative": alternative,
        "other_reason": reason,
        "first_step": context.get("_spare_tip") or context["tip1"],
    }


def context_target(context: dict[str, str]) -> tuple[int, int]:
    """The length to aim for: the consultant's usual one when known, inside the range readers
    finish; the library's default otherwise."""
    usual = int(context.get("_usual_length") or 0)
    if not usual:
        return DEPTH_TARGET
    centre = min(max(usual, 700), DEPTH_CEILING - 100)
    return (centre - 75, centre + 75)


def depth_paragraphs(
    framework: str, context: dict[str, str], draft: str, rng: random.Random
) -> list[str]:
    """Depth paragraphs in the framework's voice until the draft reaches its target length."""
    length = len(draft)
    target = rng.randint(*context_target(context))
    kind = context.get("_comparison") or None
    lines = [
        line
        for line in framework_depth(framework, context["_language"])
        if fits_comparison(line, kind)
    ]
    if length >= target or not lines:
        return []
    values = _depth_context(context, rng)
    # Three general paragraphs at most among the framework's own, or every post of a week would
    # carry the same questions.
    lines += rng.sample(GENERIC_DEPTH[context["_language"]], 3)
    rng.shuffle(lines)
    added = []
    words = _content_words(draft)
    for line in lines:
        if length >= target:
            break
        if slots_in(line) & CASE_SLOTS and (
            not context["_case_on_topic"] or context["case_title"].lower() in draft.lower()
        ):
            continue  # the profile's case only when it is on topic and not told already
        paragraph = fill(resolve(line, rng), values)
        if UNKNOWN_FACT in paragraph or facts.unsupported_figures(
            paragraph, context.get("_known", "").split()
        ):
            continue  # a depth paragraph adds advice, never a fact nobody gave us
        vault = tuple(t for t in context.get("_vault", "").split("\n") if t)
        if facts.tells_story(paragraph) and not from_vault(paragraph, vault):
            continue  # nor a story nobody gave us
        too_long = any(len(part) > DEPTH_MAX_PARAGRAPH for part in paragraph.split("\n\n"))
        if too_long or length + len(paragraph) + 2 > DEPTH_CEILING:
            continue
        new_words = _content_words(paragraph)
        if _repeats(words, new_words):
            continue  # it would make a word stand out as repeated
        added.append(paragraph)
        words.update(new_words)
        length += len(paragraph) + 2
    return added


def _content_words(text: str) -> Counter:
    """Words counted the way the linter's repeated-word rule counts them (plus the total)."""
    words = linter.WORD.findall(text.lower())
    counts = Counter(
        w for w in words if len(w) >= linter.MIN_REPEATED_WORD_LENGTH and w not in linter.STOPWORDS
    )
    counts[""] = len(words)  # the total, which sets how many uses are allowed
    return counts


def _repeats(words: Counter, new_words: Counter) -> bool:
    """Whether adding `new_words` makes a word more frequent than the linter allows. More text
    allows more uses, so only the words being added can cross the line."""
    allowed_before = max(3, words[""] // linter.REPEAT_WORDS_PER_ALLOWED_USE)
    allowed = max(3, (words[""] + new_words[""]) // linter.REPEAT_WORDS_PER_ALLOWED_USE)
    return any(
        words[w] + n > allowed and words[w] <= allowed_before for w, n in new_words.items() if w
    )


def vary_breaks(paragraphs: list[str], rng: random.Random) -> list[str]:
    """Sometimes join two short prose paragraphs with a single line break."""
    result: list[str] = []
    for paragraph in paragraphs:
        previous = result[-1] if result else ""
        prose = not re.match(r"^(?:[→•—]|\d+\.)\s", paragraph) and "\n" not in paragraph
        if (
            previous
            and prose
            and "\n" not in previous
            and len(previous) + len(paragraph) < 200
            and rng.random() < 0.3
        ):
            result[-1] = f"{previous}\n{paragraph}"
        else:
            result.append(paragraph)
    return result
