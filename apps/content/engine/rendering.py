"""Rendering a template into a post: slot values for one post (`build_context`) and the post
itself (`render_post`), keeping only sentences whose facts are true."""

import random
import re

from apps.content import facts
from apps.content.engine.base import (
    LANGUAGES,
    MAX_HOOK_CHARS,
    MAX_POST_CHARS,
    ProfileSnapshot,
    TemplateSpec,
)
from apps.content.engine.depth import depth_paragraphs, vary_breaks
from apps.content.engine.grammar import (
    attributive,
    in_draft_language,
    is_clause,
    lower_first_in,
    mark_lists,
    reads_german,
    tidy,
    with_article,
    without_inner_colon,
)
from apps.content.engine.library import fill, follows, resolve, slots_in
from apps.content.engine.phrases import (
    BRIDGES,
    BRIDGES_PROMISING_NUMBERS,
    BRIDGES_PROMISING_RESULTS,
    CONTEXT_LINES,
    COUNT_MARK,
    LIST_MARKERS,
    MISSING,
    OWN_MISTAKE_GAPS,
    PROBLEM_LINES,
    RESULT_LINES,
    STORY_GAPS,
    TAKEAWAY_LINES,
    TOOL_LINES,
    TOPIC_HOOKS,
    TOPIC_LINES,
    VAGUE_TIMEFRAMES,
)
from apps.content.engine.ranking import normalise, pick_hook
from apps.content.engine.truth import (
    NARRATIVE_SLOTS,
    UNKNOWN_FACT,
    ProofPoint,
    post_figures,
    proof_point_keys,
    proof_point_topic_score,
    proof_points,
    proof_points_for,
    switch_points,
    tells_a_story,
    tells_a_switch,
    true_sentence,
    vault_texts,
)
from apps.content.engine.vocabulary import (
    AREAS,
    GENERAL,
    ROLE_WORDS,
    area_key,
    comparison_kind,
    fits_comparison,
    german_area_name,
    german_tool_name,
    hashtags_for,
    industry_name,
    profile_area_keys,
    proper_names,
    speaks_of,
    topic_area_key,
    topic_comparison_kind,
    topic_overlap,
    topic_tools,
    topic_words,
    topical_choice,
    truthful_lexicon,
)


def build_context(
    profile: ProfileSnapshot, topic: str, spec: TemplateSpec, rng: random.Random
) -> dict[str, str]:
    """Slot values for one post, all from one area's vocabulary so the details fit together.

    Facts about a client (its results, team size, how long it took) come only from the
    profile's proof vault: a story framework without a proof point gets one visible gap
    instead (see `render_post`), anything else leaves such a sentence out. A template telling
    how a client switched tools (`tells_a_switch`) is a story of the one case study that
    records a switch: its tools, its problem as the trigger, its results as the payoff. In any
    story told from a case study, where the client started (`{pain}`) is that case study's
    problem; when it records none, a line needing it is left out. The consultant's own mistake
    (`{own_mistake}`) is never a lesson of the area's: no vault field records one, so in a story
    told from a case study it is a gap of its own, the one the consultant fills.
    """
    language = profile.language if profile.language in LANGUAGES else "en"
    missing = MISSING[language]
    areas = [a.strip() for a in profile.areas if a and a.strip()]
    switch_story = tells_a_switch(spec)
    topic_key = topic_area_key(topic, profile)
    if topic_key is None:
        # A topic the vocabulary has no words for ("trunk-based development") is in the area
        # of the case study that shares its words, when the profile names that area: the
        # advice around the story then speaks of the same field.
        told = [p for p in proof_points(profile) if proof_point_topic_score(p, topic)]
        own_keys = {area_key(a) for a in areas}
        topic_key = next(
            (k for p in told for k in sorted(proof_point_keys(p)) if k in own_keys), None
        )
        if switch_story:
            # The switch is the story: the post is in its area (the planner chose the
            # template for it), the profile's own areas first.
            keys = [k for p in switch_points(profile, topic) for k in sorted(proof_point_keys(p))]
            topic_key = next((k for k in keys if k in own_keys), keys[0] if keys else topic_key)
    on_topic = [a for a in areas if topic_key and area_key(a) == topic_key]
    suited = [a for a in areas if area_key(a) in spec.suits]
    if on_topic:
        area = rng.choice(on_topic)
    elif topic_key in AREAS:
        # The topic came from the headline or an offer ("the first 90 days as a fractional
        # CTO"): name its area, or the hook and the closing question would talk about
        # another of the profile's areas than the post does.
        area = AREAS[topic_key].label[language]
    else:
        area = rng.choice(suited or areas) if areas else missing["area"]
    keys = profile_area_keys(profile)
    key = topic_key or area_key(area)
    if not topic_key and key not in spec.suits and "any" not in spec.suits:
        # e.g. a leadership template for a profile whose leadership shows only in its offers;
        # never for a topic in a known area: its vocabulary is what the post is about
        key = next((k for k in keys if k in spec.suits), key)
    if key is None:
        # Never a template's own area the profile does not have: that is how a cloud
        # architect got security hashtags.
        key = keys[0] if keys else None
    vocabulary = AREAS.get(key or "", GENERAL)
    lexicon = truthful_lexicon(key if key in AREAS else None, language)

    others = [a for a in areas if a != area]
    # A German draft names the industry in German ("im Bereich Versicherungen"), not as the
    # English word the profile was typed in ("im Bereich insurance").
    industries = list(
        dict.fromkeys(industry_name(i, language) for i in profile.industries if i and i.strip())
    )
    offers = [o.strip() for o in profile.offers if o and o.strip()]
    # Offers, like the area, follow the topic even when the vocabulary could not.
    matching_offers = [o for o in offers if area_key(o) == (topic_key or key)]
    # An offer in another area ("AWS migration" closing a Kubernetes post) reads as a slip;
    # a general one ("fractional CTO", "architecture review") fits any topic.
    general_offers = [o for o in offers if area_key(o) in (None, "leadership")]
    roles = [o for o in offers if ROLE_WORDS.search(o)]
    # Only a proof point on the post's area is told: a Kafka rescue offered as the story of a
    # zero-trust post claims what never happened. One whose area cannot be told fits any.
    # The case study that shares the typed topic's words is its story ("slow reporting
    # queries" → the read-replica project), before any that merely shares its area.
    points = proof_points(profile)
    if switch_story:
        points = [p for p in points if p.switch]  # only a case study that records a switch
    matching_cases = proof_points_for(points, topic, key)
    case = rng.choice(matching_cases) if matching_cases else None
    words = topic_words(topic)
    mistake, fix = topical_choice(lexicon.lessons, words, rng)
    myth, reality = topical_choice(lexicon.myths, words, rng)
    decision, alternative, reason = topical_choice(lexicon.decisions, words, rng)
    # Never "not about trunk-based development … we introduced trunk-based development": a
    # pair the case study itself names would contradict its story.
    told = " ".join((case.title, case.outcome, case.problem)).lower() if case else ""
    pairs = [p for p in vocabulary.tools if not any(t.lower() in told for t in p)]
    tool_a, tool_b = topic_tools(topic) or rng.choice(pairs or vocabulary.tools)
    if language == "de":
        tool_a, tool_b = german_tool_name(tool_a), german_tool_name(tool_b)
    typed_area = area_key(topic)
    if (
        spec.framework != "tool-comparison"  # a comparison needs its two tools to say anything
        and not typed_area
        and not topic_tools(topic)
        and not speaks_of(words, vocabulary, lexicon)
    ):
        # A typed topic the vocabulary has no words for ("vendor risk questionnaires"): the
        # area's tools would be specifics the topic never named ("Buying Trivy won't fix
        # vendor risk questionnaires"), so a line needing a tool is left out.
        tool_a = tool_b = UNKNOWN_FACT
    tips = list(lexicon.tips)
    rng.shuffle(tips)
    # The tips nearest the topic come first ("…let the autoscaler do its job" for Karpenter).
    tips.sort(key=lambda tip: -topic_overlap(tip, words))
    years = profile.years_experience
    story = tells_a_story(spec)
    switch = case.switch if case and switch_story else None
    # Without industries in the profile, "a software client" would be an invented client.
    industry = rng.choice(industries) if industries else UNKNOWN_FACT
    context = {
        "topic": topic,
        "area": area,
        "area2": rng.choice(others) if others else vocabulary.related,
        "industry": industry,
        # Templates say "{offer} engagement" and "{offer} work": "audit", not "audits".
        "offer": attributive(rng.choice(matching_offers or general_offers))
        if matching_offers or general_offers
        else missing["offer"],
        "offer_role": roles[0] if roles else missing["offer_role"],
        # "After many years in security" would claim what the profile never said
        "years": str(years) if years else UNKNOWN_FACT,
        "name": (profile.name or "").strip() or missing["name"],
        "case_title": case.title if case else UNKNOWN_FACT,
        "case_outcome": case.outcome if case else UNKNOWN_FACT,
        "case_at": case_at(case, language) if case else UNKNOWN_FACT,
        "team_size": UNKNOWN_FACT,
        # The switch's tools as the vault names them; never a pair from the vocabulary.
        "switch_from": switch.old if switch and switch.old else UNKNOWN_FACT,
        "switch_to": switch.new if switch and switch.old else UNKNOWN_FACT,
        # Outside a story a duration is advice ("if it hasn't moved after a few weeks"), so a
        # vague one reads true; inside a story it would be a claim about a client.
        "timeframe": UNKNOWN_FACT if story else VAGUE_TIMEFRAMES[language],
        "tool_a": tool_a,
        "tool_b": tool_b,
        "metric": topical_choice(lexicon.metrics, words, rng),
        "pain": topical_choice(lexicon.pains, words, rng),
        "mistake": mistake,
        # Theirs to tell: without a case study the story's gap covers it (`render_post`).
        "own_mistake": facts.gap(OWN_MISTAKE_GAPS[language].format(topic=topic), language)
        if case and story
        else UNKNOWN_FACT,
        "fix": fix,
        # Only a story tells a result, and only the consultant's own.
        "win": case.outcome if case and story else UNKNOWN_FACT,
        "myth": myth,
        "reality": reality,
        "decision": decision,
        "alternative": alternative,
        "reason": reason,
        "role": rng.choice(lexicon.roles),
        "_hashtags": hashtags_for(profile, topic, key),
        "_key": key if key in AREAS else "",
        "_language": language,
        "_case_on_topic": "yes" if matching_cases else "",
        "_has_case": "yes" if case else "",
        "_industries": "\n".join(industries),
    }
    if language == "de":
        # "11 Jahre Observability", not "11 Jahre observability": a German noun
        for name in ("area", "area2"):
            context[name] = german_area_name(context[name])
    names = proper_names(profile)
    if switch_story and not (case and case.problem):
        # A switch's trigger is the case study's problem, or not told: the area's usual pain
        # would be a reason the client never gave.
        context["pain"] = UNKNOWN_FACT
    if case and story:
        # The story is the proof point's: its problem, what was done, its client. Vault text
        # is the consultant's notes: a clause ("failed its first audit") gets a subject in a
        # sentence of its own, and English notes in a German draft are quoted as theirs.
        if case.problem and is_clause(case.problem):
            context["pain"] = UNKNOWN_FACT  # "Their problem: failed its first audit" is no sentence
            context["_problem_line"] = problem_line(case, language, names)
        elif case.problem:
            context["pain"] = in_draft_language(
                in_sentence(lower_first_in(case.problem, language, names), language), language
            )
        else:
            # The case study is the story and says nothing of where the client started: the
            # area's usual pain would be told as theirs ("The starting point: nodes idling
            # …"), so a line needing the problem is left out, and so is a depth paragraph
            # naming a pain of the area beside the story (`depth._depth_context`).
            context["pain"] = UNKNOWN_FACT
            context["_problem_untold"] = "yes"
        if language == "de" or is_clause(case.title):
            context["fix"] = in_draft_language(
                lower_first_in(case.title, language, names), language
            )
        else:
            context["fix"] = UNKNOWN_FACT  # "we migration to Kubernetes": told by {case_title}
    if case:
        for name in ("case_title", "case_outcome", "win"):
            if context[name] != UNKNOWN_FACT:
                context[name] = in_draft_language(context[name], language)
    for index, tip in enumerate(tips[:6], start=1):
        if language == "en" and len(tip) > 1 and tip[1].islower():
            tip = tip[0].lower() + tip[1:]  # lists and line starts capitalise it again
        context[f"tip{index}" if index <= 5 else "_spare_tip"] = tip
    for index in range(len(tips) + 1, 6):
        context[f"tip{index}"] = tips[(index - 1) % len(tips)] if tips else ""
    return context


# Hook openings that may follow the topic as its label ("EKS autoscaling: one habit I'd ban…").
_LOWER_AFTER_LABEL = re.compile(
    r"^(?:The|A|An|One|Most|Many|My|Our|Teams|Every|What|Why|How|Nobody|If|Your|This|These|"
    r"Stop|Here|People|Last|When)\b"
)
_LIST_LINE = re.compile(r"^(?:[→•—✓\-]|\d+\.)\s")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\S)")


# A sentence that opens by pointing at the one before it: "It feels efficient for a quarter.",
# "Das fühlt sich anfangs schneller an.", "Then the bill arrives." ("Das Ergebnis: …" names its
# noun and stands on its own.)
_POINTS_BACK = re.compile(
    r"^(?:It|It's|That|That's|This|These|Those|Then|They|"
    r"Es|Er|Dann|Danach|Dies|Diese|Dieser|Dieses|(?:Das|Den|Dem)(?!\s+[A-ZÄÖÜ„]))\b"
)


def _sentences_kept(paragraph: str, keep) -> str:
    """The paragraph without the sentences (or list lines) `keep` refuses, and without a
    sentence that points back at one refused right before it."""
    lines = []
    for line in paragraph.split("\n"):
        if _LIST_LINE.match(line) or not line.strip():
            if keep(_LIST_LINE.sub("", line)):
                lines.append(line)
            continue
        kept = []
        cut = False
        for part in _SENTENCE_END.split(line):
            cut = not keep(part) or (cut and bool(_POINTS_BACK.match(part)))
            if not cut:
                kept.append(part)
        if kept:
            lines.append(" ".join(kept))
    return "\n".join(line for line in lines if line.strip())


def _without_repeats(blocks: list[str]) -> list[str]:
    """Each sentence, line and clause once: "Short version:" twice, or a tip in the list and
    again as "If you do one thing this week: …", reads as a slip."""
    seen: set[str] = set()

    def norm(text: str) -> str:
        return re.sub(r"\W+", " ", text.lower()).strip()

    result = []
    for block in blocks:
        lines = []
        for line in block.split("\n"):
            parts = []
            for part in [line] if _LIST_LINE.match(line) else _SENTENCE_END.split(line):
                whole = norm(_LIST_LINE.sub("", part))
                # What follows a colon is the sentence's news ("The result: …").
                label, _colon, news = part.partition(": ")
                clause = norm(news) if news else ""
                # A label twice ("What I see: …" and "What I see: …", or "Short version:"
                # alone and then with its news) repeats as well.
                labelled = bool(news) or part.rstrip().endswith(":")
                label_text = norm(label) if labelled else ""
                keys = {
                    k
                    for k in (whole, clause, label_text)
                    if k and (k == whole or len(k.split()) >= 3)
                }
                keys |= {"label: " + label_text} if label_text else set()
                if keys & seen:
                    continue
                seen.update(keys)
                parts.append(part)
            if parts:
                lines.append(" ".join(parts))
        if any(line.strip() for line in lines):
            result.append("\n".join(lines))
    return result


def names_topic(text: str, topic: str) -> bool:
    return normalise(topic).lower() in normalise(text).lower()


def _names_subject(hook: str, topic: str, context: dict[str, str]) -> bool:
    """Whether a hook says what the post is about: the topic, its first tool or its area."""
    low = hook.lower()
    if names_topic(hook, topic):
        return True
    if topic_tools(topic):
        return context["tool_a"].lower() in low
    key = context.get("_key")
    return bool(key) and area_key(hook) == key


def _topic_hook(hook: str, topic: str, language: str) -> str:
    """The hook led by the topic as its label, when the hook itself does not name it."""
    first_line, _, rest = hook.partition("\n")
    if language == "en" and _LOWER_AFTER_LABEL.match(first_line):
        first_line = first_line[0].lower() + first_line[1:]
    if ":" in first_line:  # "Topic: Myth: …" would stack two labels
        labelled = f"{topic}\n{hook}"
    else:
        labelled = f"{topic}: {first_line}" + (f"\n{rest}" if rest else "")
    return labelled if len(labelled) <= MAX_HOOK_CHARS else hook


def _with_tool_line(
    paragraphs: list[str], topic: str, context: dict[str, str], rng: random.Random
) -> list[str]:
    """A body sentence on the topic's own two tools, when the body names only one of them."""
    tools = topic_tools(topic)
    if not tools:
        return paragraphs
    body = "\n".join(paragraphs).lower()
    if tools[0].lower() in body and tools[1].lower() in body:
        return paragraphs
    # Advice fits what is compared: nobody "debugs at night" a compliance standard.
    lines = TOOL_LINES[comparison_kind(*tools)][context["_language"]]
    line = fill(rng.choice(lines), context)
    return [*paragraphs[:1], line, *paragraphs[1:]]


def render_post(
    spec: TemplateSpec,
    profile: ProfileSnapshot,
    topic: str,
    rng: random.Random,
    *,
    recent_hooks: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The text of a post and its hook, from one template.

    Every figure in it is one the profile or the topic gave; a story framework without a
    proof point leaves one visible gap ("[your example: …]") where its story goes, and a story
    of the consultant's own mistake leaves that mistake as its one gap beside a proof point
    (`build_context`); the topic is named; no sentence appears twice.
    """
    language = profile.language if profile.language in LANGUAGES else "en"
    hooks, body, ctas = spec.parts(language)
    # A line about running or switching tools is left out of a post comparing two standards.
    kind = topic_comparison_kind(topic)
    hooks = [h for h in hooks if fits_comparison(h, kind)] or hooks
    body = [line for line in body if fits_comparison(line, kind)]
    ctas = [c for c in ctas if fits_comparison(c, kind)] or ctas
    context = build_context(profile, topic, spec, rng)
    context["_comparison"] = kind or ""
    # The post's area may be the topic's, not one the profile names ("observability" for an
    # on-call topic): "12 years in observability" would be a claim the profile never made.
    own = {a.strip().lower() for a in profile.areas}
    area_own = context["area"].strip().lower() in own
    context["years_in_area"] = context["years"] if area_own else UNKNOWN_FACT
    both_own = area_own and context["area2"].strip().lower() in own
    context["years_in_areas"] = context["years"] if both_own else UNKNOWN_FACT
    hooks = [_years_in_area(h) for h in hooks]
    body = [_years_in_area(b) for b in body]
    ctas = [_years_in_area(c) for c in ctas]
    unknown = {name for name, value in context.items() if value == UNKNOWN_FACT}
    story_gap = tells_a_story(spec) and not context["_has_case"]
    known = post_figures(profile, topic)
    vault = vault_texts(profile)
    keep = true_sentence(known, vault)

    usable_hooks = [h for h in hooks if not slots_in(h) & unknown]
    usable_ctas = [c for c in ctas if not slots_in(c) & unknown] or ctas
    style = profile.style
    usable_hooks = _in_their_style_hooks(usable_hooks, style)
    usable_ctas = _in_their_style_ctas(usable_ctas, style)
    if style is not None:
        context["_usual_length"] = str(getattr(style, "median_length", 0) or 0)
    paragraphs = []
    # Per paragraph: whether it only makes sense right after the one before it (`^ `).
    followers: list[bool] = []
    gap_left = False
    left_out = False  # whether the entry before this one was left out or became the gap
    problem_told = not context.get("_problem_line")
    for entry in body:
        follower, entry = follows(entry)
        if follower and left_out:
            continue  # "None of this is unusual." after a list the post no longer has
        paragraph = resolve(entry, rng)
        if not problem_told and "pain" in slots_in(paragraph) and not story_gap:
            # Where the template names the problem, the vault's own sentence tells it.
            paragraphs.append(context["_problem_line"])
            followers.append(False)
            problem_told = True
        if story_gap and slots_in(paragraph) & NARRATIVE_SLOTS:
            if not gap_left:
                paragraphs.append(facts.gap(STORY_GAPS[language].format(topic=topic), language))
                followers.append(False)
                gap_left = True
            left_out = True
            continue  # the rest of the story is the consultant's to tell
        paragraphs.append(paragraph)
        followers.append(follower)
        left_out = False
    if story_gap and not gap_left:
        # A story told without any of the story slots ("advice I gave that turned out
        # wrong") still needs the consultant's own: the gap follows its opening paragraph
        # and whatever follows that.
        gap = facts.gap(STORY_GAPS[language].format(topic=topic), language)
        at = min(1, len(paragraphs))
        while at < len(paragraphs) and followers[at]:
            at += 1
        paragraphs.insert(at, gap)
        followers.insert(at, False)
    # The number of list items goes in once the list is final; until then a mark stands in,
    # so no other sentence may borrow that number.
    context["count"] = COUNT_MARK
    paragraphs = [_sentences_kept(fill(p, context), keep) for p in paragraphs]
    # A paragraph the truth check cut takes the ones that follow it along.
    kept = []
    left_out = False
    for paragraph, follower in zip(paragraphs, followers, strict=True):
        left_out = not paragraph.strip() or (follower and left_out)
        if not left_out:
            kept.append(paragraph)
    paragraphs = kept
    count = str(sum(line.startswith("- ") for p in paragraphs for line in p.split("\n")))
    context["_known"] = " ".join(sorted(known))
    context["_vault"] = "\n".join(vault)
    if tells_a_story(spec) and context["_has_case"]:
        told = "\n".join(paragraphs).lower()
        if context["case_outcome"].lower() not in told:
            # A story's sentence with its result may have needed a duration no proof point
            # gives; the result itself is the consultant's, so it is told plainly.
            paragraphs.append(fill(RESULT_LINES[language], context))

    hook = _choose_hook(usable_hooks, recent_hooks, rng, profile.tone, context, keep, language)
    if not _names_subject(hook, topic, context):
        # The typed topic leads the post, not a label line under a hook about something else.
        hook = _topic_hook(hook, topic, language)
    paragraphs = _with_tool_line(paragraphs, topic, context, rng)
    hook = hook.replace(COUNT_MARK, count)
    sentences = re.split(r"(?<=[.?!])\s+(?=[A-ZÄÖÜ0-9])", hook)
    if len(sentences) == 2 and rng.random() < 0.35:
        hook = "\n".join(sentences)  # a line break in the hook, now and then
    hook = tidy(hook, language)
    topic_line_first = False
    if not names_topic(hook + "\n" + "\n".join(paragraphs), topic):
        # The topic asked for is the topic written: say it up front when the template did not.
        paragraphs.insert(0, fill(rng.choice(TOPIC_LINES[language]), context))
        topic_line_first = True

    paragraphs = mark_lists(paragraphs, rng.choice(LIST_MARKERS))
    paragraphs = vary_breaks(paragraphs, rng)

    bridge = ""
    # "Short version:" followed by "Today: SOC 2 vs ISO 27001." announces what never comes.
    if rng.random() < 0.25 and not topic_line_first:
        tone = BRIDGES[language].get(profile.tone, BRIDGES[language]["direct"])
        told = context["_has_case"] and tells_a_story(spec)
        fitting = [b for b in tone if bridge_fits(b, paragraphs[0] if paragraphs else "", told)]
        bridge = rng.choice(fitting) if fitting else ""
    # A closing question that tells a story ("I've believed all three") would be cut to
    # nothing; one that survives the truth check closes the post.
    true_ctas = [
        c for c in usable_ctas if all(keep(p) for p in _SENTENCE_END.split(fill(c, context)))
    ]
    cta = _sentences_kept(fill(resolve(rng.choice(true_ctas or usable_ctas), rng), context), keep)
    hashtags = _hashtag_line(context, style, rng)

    extras = [
        _sentences_kept(e, keep) for e in _extras(profile, context, paragraphs, rng, language)
    ]
    draft = "\n\n".join(b for b in [hook, bridge, *paragraphs, *extras, cta, hashtags] if b.strip())
    depth = [
        _sentences_kept(p, keep) for p in depth_paragraphs(spec.framework, context, draft, rng)
    ]
    paragraphs += depth
    paragraphs += extras
    body_text = normalise("\n".join([hook, *paragraphs, cta])).lower()
    if bridge and normalise(bridge).lower().rstrip(".:") in body_text:
        bridge = ""  # "Short version:" as a bridge and again in the body read as a slip
    blocks = _without_repeats([hook, bridge, *paragraphs, cta])
    blocks = [b.replace(COUNT_MARK, count) for b in blocks]
    text = tidy("\n\n".join(b for b in [*blocks, hashtags] if b.strip()), language)
    while len(text) > MAX_POST_CHARS - 100 and len(paragraphs) > 1:
        paragraphs.pop(len(paragraphs) // 2)  # never happens with the library; a guard
        text = tidy("\n\n".join(b for b in [hook, *paragraphs, cta] if b.strip()), language)
        text = text.replace(COUNT_MARK, count)
    return text, hook


def bridge_fits(bridge: str, following: str, tells_story: bool) -> bool:
    """Whether a bridge line keeps its promise: one announcing numbers needs a figure in the
    paragraph after it (as the truth check counts them: not "S3", "p99" or a list's "1."),
    one announcing "what worked" needs the consultant's own story."""
    if bridge in BRIDGES_PROMISING_NUMBERS:
        return bool(facts.figures_in(following))
    if bridge in BRIDGES_PROMISING_RESULTS:
        return tells_story
    return True


def _years_in_area(line: str) -> str:
    """A line telling the years in an area ("After {years} years in {area}") takes them from a
    slot that knows them only for the profile's own areas (see `render_post`)."""
    if "{years}" not in line or "{area" not in line:
        return line
    return line.replace("{years}", "{years_in_areas}" if "{area2}" in line else "{years_in_area}")


def _in_their_style_hooks(hooks: list[str], style) -> list[str]:
    """The hooks that open the way the consultant usually opens, when some do."""
    patterns = tuple(getattr(style, "opening_patterns", ()) or ())
    if not patterns or not hooks:
        return hooks
    kind = patterns[0]
    if kind == "question":
        fitting = [h for h in hooks if h.rstrip().endswith("?")]
    elif kind == "short-line":
        fitting = [h for h in hooks if len(_SLOT_FREE.sub("xxxxxxxx", h)) < 60]
    elif kind == "statement":
        fitting = [h for h in hooks if not h.rstrip().endswith("?")]
    else:
        fitting = []
    return fitting or hooks


_SLOT_FREE = re.compile(r"\{[^{}]*\}")


def _in_their_style_ctas(ctas: list[str], style) -> list[str]:
    """Closing lines that end the way the consultant's posts end: a question or not."""
    share = getattr(style, "closes_with_question", None)
    if share is None:
        return ctas
    if share >= 0.7:
        fitting = [c for c in ctas if c.rstrip().endswith("?")]
    elif share <= 0.3:
        fitting = [c for c in ctas if not c.rstrip().endswith("?")]
    else:
        fitting = []
    return fitting or ctas


def _hashtag_line(context: dict[str, str], style, rng: random.Random) -> str:
    """Hashtags as the consultant uses them: their count and their own tags first (only those
    in the post's areas or their own); without a style, two or three from the area, usually."""
    tags = context["_hashtags"].split()
    if style is None:
        if rng.random() >= 0.75:
            return ""
        return " ".join(f"#{t}" for t in rng.sample(tags, k=min(len(tags), rng.choice((2, 3)))))
    count = round(getattr(style, "hashtags_per_post", 0) or 0)
    if count <= 0:
        return ""
    own = [t.lstrip("#") for t in getattr(style, "typical_hashtags", ()) or ()]
    chosen: list[str] = []
    for tag in [*own, *tags]:
        if tag and tag.lower() not in {c.lower() for c in chosen}:
            chosen.append(tag)
    return " ".join(f"#{t}" for t in chosen[: min(count, 5)])


def _choose_hook(
    hooks: list[str],
    recent_hooks: tuple[str, ...],
    rng: random.Random,
    tone: str,
    context: dict[str, str],
    keep,
    language: str,
) -> str:
    """A hook whose every fact is true, naming the topic when one can; else a plain one."""
    candidates = list(hooks)
    while candidates:
        template = pick_hook(candidates, recent_hooks, rng, tone)
        hook = fill(resolve(template, rng), context)
        if all(keep(part) for part in _SENTENCE_END.split(hook)):
            return hook
        candidates.remove(template)
    return fill(rng.choice(TOPIC_HOOKS[language]), context)


def _extras(
    profile: ProfileSnapshot,
    context: dict[str, str],
    paragraphs: list[str],
    rng: random.Random,
    language: str,
) -> list[str]:
    """Now and then a line of background and a takeaway, so posts don't all end the same way."""
    extras = []
    body = " ".join(paragraphs).lower()
    if rng.random() < 0.6:
        lines: tuple[str, ...] = CONTEXT_LINES[language]
        if not profile.years_experience:
            lines = tuple(line for line in lines if "{years}" not in line)
        if not profile.offers or context["offer"] == MISSING[language]["offer"]:
            # no offer, or none that fits the topic: "I do advisory work" says nothing
            lines = tuple(line for line in lines if "{offer" not in line)
        if not any(i.strip() for i in profile.industries):
            # "mostly with SaaS teams" would be a claim the profile never made
            lines = tuple(line for line in lines if "{industry}" not in line)
        if lines:
            extras.append(fill(_years_in_area(rng.choice(lines)), context))
    unused = [context[f"tip{i}"] for i in range(1, 6) if context[f"tip{i}"].lower() not in body]
    if unused and rng.random() < 0.7:
        tip = unused[-1]
        extras.append(fill(rng.choice(TAKEAWAY_LINES[language]), {**context, "tip": tip}))
    rng.shuffle(extras)
    return extras


def problem_line(case: ProofPoint, language: str, names: frozenset[str] = frozenset()) -> str:
    """The proof point's problem as a sentence with its subject: "Where it started: the
    client, a telehealth startup, failed its first ISO 27001 stage-one audit." """
    problem = in_sentence(lower_first_in(case.problem, language, names), language)
    if language == "de":
        client = f" ({case.client})" if case.client else ""
        if reads_german(problem):
            return PROBLEM_LINES["de"].format(client=client, problem=problem)
        return PROBLEM_LINES["de_quoted"].format(client=client, problem=problem)
    if case.named:
        subject = case.client
    elif case.client:
        subject = f"the client, {with_article(case.client)},"
    else:
        subject = "the client"
    return PROBLEM_LINES["en"].format(subject=subject, problem=problem)


def in_sentence(text: str, language: str) -> str:
    """Vault text as a template's sentence carries it: its own colon made brackets
    (`without_inner_colon`). English notes in a German draft are quoted as typed instead."""
    if language == "de" and not reads_german(text):
        return text
    return without_inner_colon(text)


def case_at(case: ProofPoint, language: str) -> str:
    """Where the proof point's story took place, as it follows "Where it started": ", at a
    logistics SaaS with 40 engineers" (its name when it may be named); empty when the vault
    names no client, so the sentence still tells the problem."""
    if not case.client:
        return ""
    if language == "de":
        if case.named:
            return f" bei {case.client}"
        return f" beim Kunden ({in_draft_language(case.client, language)})"
    return f", at {case.client if case.named else with_article(case.client)}"
