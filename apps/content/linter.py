"""The post linter: a score from 0 to 100 and findings, each with a concrete fix.

Pure functions, no database and no network, fast enough to run as the user types. Every rule is
a small function that takes the parsed post and returns findings; `lint_post` runs them all and
subtracts a weight per finding by severity. Near-duplicates are found with TF-IDF cosine
similarity against the workspace's earlier posts; `EarlierPosts` prepares those once so that
linting per keystroke does not refit on a thousand posts.

The reader rules (a figure in no proof point, a repeated line, two team sizes, broken grammar,
drift outside the profile's areas, a post with nothing of the consultant's, an unfilled gap)
cap the score at 70. The ones that compare the post with the workspace's own material take a
`PostFacts` (built by `apps.content.selectors.lint_facts`), so the linter itself never reads
the database.

Lengths: LinkedIn's hard limit of 3,000 characters applies to the *escaped* commentary ("little
text", where reserved characters take a backslash), so `escaped_length` is what the limit is
checked against; the fold and the sweet spot are about what readers see, so they use the plain
text. Line breaks are normalised to "\\n" first (browsers submit textareas with "\\r\\n").
"""

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from apps.content.facts import (
    GAP_PATTERN,
    figures_in,
    find_gaps,
    tells_story,
    unsupported_figures,
)
from apps.content.similarity import SimilarityIndex
from apps.linkedin.client import escape_little_text

ERROR, WARNING, TIP = "error", "warning", "tip"
SEVERITY_WEIGHTS = {ERROR: 50, WARNING: 10, TIP: 3}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, TIP: 2}
DUPLICATE_ERROR_SIMILARITY = 0.95
MAX_REPEATED_WORD_FINDINGS = 3
QUOTE_CHARS = 40


@dataclass(frozen=True)
class LintSettings:
    fold_chars: int = 210  # LinkedIn's "see more" fold, counting line breaks
    max_escaped_length: int = 3000  # hard limit (LinkedIn answers 422 above it)
    sweet_spot: tuple[int, int] = (900, 1600)  # ideal length in characters
    max_paragraph_chars: int = 280
    max_hashtags: int = 3
    near_duplicate_threshold: float = 0.8


@dataclass(frozen=True)
class Finding:
    rule: str  # stable id, e.g. "hook-too-long"
    severity: str  # "error" (blocks publishing), "warning" or "tip"
    message: str  # what is wrong, quoting the offending word, phrase or number
    fix: str  # a concrete fix


@dataclass(frozen=True)
class LintResult:
    score: int
    findings: tuple[Finding, ...]
    escaped_length: int
    length: int
    preview: str
    hook: str
    similar_to_index: int | None = None
    similarity: float = 0.0

    @property
    def has_errors(self) -> bool:
        return any(finding.severity == ERROR for finding in self.findings)


# --- Parsing ----------------------------------------------------------------------------------

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
URL_TRAILING_PUNCTUATION = ".,;:!?)]}'\"\u2019\u201d"
# A hashtag starts a word and has at least one letter: "C#", "#1" and URL fragments are not.
HASHTAG = re.compile(r"(?<![\w#&/])#\w*[^\W\d_]\w*")
HASHTAG_SEPARATORS = " \t\n,;.·|"
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
WORD = re.compile(r"[^\W\d_](?:[\w'-]*[^\W_])?")
SENTENCE_END = re.compile("[.!?\u2026][\"')\\]\u201d\u2019]*(?=\\s)|\n")


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _fold_quotes(text: str) -> str:
    """Curly apostrophes and quotes as straight ones (same length, so positions still match)."""
    return text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))


def _mask(text: str, pattern: re.Pattern) -> str:
    """`text` with every match of `pattern` blanked out, keeping positions."""
    return pattern.sub(lambda match: " " * len(match.group()), text)


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in PARAGRAPH_BREAK.split(text) if part.strip()]


def _quote(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


@dataclass(frozen=True)
class Post:
    """A post taken apart once for all the rules."""

    text: str  # newlines normalised, surrounding white space stripped
    length: int
    escaped_length: int
    hook: str
    paragraphs: tuple[str, ...]  # of the body, without the closing hashtags
    urls: tuple[str, ...]
    hashtags: tuple[str, ...]
    body_hashtags: tuple[str, ...]  # hashtags before the closing run of hashtags
    words: tuple[str, ...]  # lower-case, without URLs and hashtags

    @classmethod
    def parse(cls, raw: str) -> "Post":
        normalised = _normalise_newlines(raw)
        text = normalised.strip()
        urls = tuple(match.group().rstrip(URL_TRAILING_PUNCTUATION) for match in URL.finditer(text))
        without_urls = _mask(text, URL)
        tags = list(HASHTAG.finditer(without_urls))
        body_end = len(text)
        for match in reversed(tags):
            if text[match.end() : body_end].strip(HASHTAG_SEPARATORS):
                break
            body_end = match.start()
        paragraphs = _paragraphs(text)
        words = WORD.findall(_fold_quotes(_mask(without_urls, HASHTAG)).lower())
        return cls(
            text=text,
            length=len(normalised),
            escaped_length=len(escape_little_text(normalised)),
            hook=paragraphs[0] if paragraphs else "",
            paragraphs=tuple(_paragraphs(text[:body_end])),
            urls=urls,
            hashtags=tuple(match.group() for match in tags),
            body_hashtags=tuple(match.group() for match in tags if match.start() < body_end),
            words=tuple(words),
        )


def _preview(text: str, fold: int) -> str:
    """What shows before "see more": the text up to the fold, cut at a line or sentence end if
    one leaves at least two thirds of the fold, else at the last word; "…" when cut."""
    if len(text) <= fold:
        return text
    window = text[: fold + 1]  # a boundary right at the fold still counts
    ends = [match.end() for match in SENTENCE_END.finditer(window) if match.end() <= fold]
    if ends and ends[-1] >= fold * 2 // 3:
        cut = ends[-1]
    else:
        space = window.rfind(" ", 0, fold + 1)
        newline = window.rfind("\n", 0, fold + 1)
        cut = max(space, newline)
        if cut <= 0:
            cut = fold
    return text[:cut].rstrip() + "…"


# --- Rules ------------------------------------------------------------------------------------

Rule = Callable[[Post, LintSettings], list[Finding]]

WEAK_OPENER = re.compile(
    r"^\W*(?:"
    r"(?:i am|i'm|we are|we're)\s+(?:so\s+|very\s+|really\s+)?"
    r"(?:excited|thrilled|happy|pleased|proud|delighted|humbled|honou?red)"
    r"|(?:so\s+)?(?:excited|thrilled|happy|pleased|proud|delighted)\s+to\s+"
    r"(?:share|announce)"
    r"|(?:hello|hi|hey|dear)\s+(?:everyone|everybody|all|folks|linkedin|network|friends)"
    r"|in\s+(?:this|today's)\s+(?:post|article|blog)"
    r"|today\s+i\s+(?:want|wanted|would like)\s+to"
    r"|i\s+(?:want|wanted|would like)\s+to\s+(?:share|talk|write)"
    r"|have\s+you\s+ever\s+wondered"
    r"|let\s+me\s+tell\s+you"
    r")\b",
    re.IGNORECASE,
)


def check_hook(post: Post, settings: LintSettings) -> list[Finding]:
    findings = []
    if len(post.hook) > settings.fold_chars:
        over = len(post.hook) - settings.fold_chars
        findings.append(
            Finding(
                "hook-too-long",
                WARNING,
                ngettext(
                    "The hook (first paragraph) is %(length)d characters, %(over)d character "
                    'past the %(fold)d-character "see more" fold, so readers never see '
                    "all of it.",
                    "The hook (first paragraph) is %(length)d characters, %(over)d characters "
                    'past the %(fold)d-character "see more" fold, so readers never see '
                    "all of it.",
                    over,
                )
                % {"length": len(post.hook), "over": over, "fold": settings.fold_chars},
                ngettext(
                    "Cut %(over)d character from the first paragraph, or put a blank line "
                    "after its first sentence.",
                    "Cut %(over)d characters from the first paragraph, or put a blank line "
                    "after its first sentence.",
                    over,
                )
                % {"over": over},
            )
        )
    first_line = post.hook.split("\n", 1)[0]
    if match := WEAK_OPENER.match(_fold_quotes(first_line)):
        findings.append(
            Finding(
                "weak-hook",
                TIP,
                _('The first line opens with "%(opener)s", which tells readers nothing yet.')
                % {"opener": first_line[: match.end()].strip()},
                _(
                    "Open with the result, a number or a claim from your own work, and say "
                    "the rest after it."
                ),
            )
        )
    return findings


def check_length(post: Post, settings: LintSettings) -> list[Finding]:
    if post.escaped_length > settings.max_escaped_length:
        over = post.escaped_length - settings.max_escaped_length
        return [
            Finding(
                "over-limit",
                ERROR,
                _(
                    "The post is %(escaped)d characters as LinkedIn counts them, %(over)d "
                    "over the limit of %(limit)d. LinkedIn counts reserved characters such "
                    "as ( ) [ ] { } < > @ | ~ _ * # \\ twice, and this post has %(reserved)d "
                    "of them."
                )
                % {
                    "escaped": post.escaped_length,
                    "over": over,
                    "limit": settings.max_escaped_length,
                    "reserved": post.escaped_length - post.length,
                },
                ngettext(
                    "Cut %(over)d character (each reserved character you remove saves two), "
                    "or split the post in two.",
                    "Cut %(over)d characters (each reserved character you remove saves two), "
                    "or split the post in two.",
                    over,
                )
                % {"over": over},
            )
        ]
    low, high = settings.sweet_spot
    if post.length > high:
        over = post.length - high
        return [
            Finding(
                "too-long",
                WARNING,
                _(
                    "The post is %(length)d characters, longer than the %(low)d to %(high)d that "
                    "readers finish."
                )
                % {"length": post.length, "low": low, "high": high},
                ngettext(
                    "Cut %(over)d character: drop the weakest paragraph first.",
                    "Cut %(over)d characters: drop the weakest paragraph first.",
                    over,
                )
                % {"over": over},
            )
        ]
    if post.length < low:
        short = low - post.length
        return [
            Finding(
                "too-short",
                TIP,
                _(
                    "The post is %(length)d characters, shorter than the %(low)d to %(high)d "
                    "that tends to do best."
                )
                % {"length": post.length, "low": low, "high": high},
                ngettext(
                    "Add about %(short)d character: a concrete example, a number or what you "
                    "would do differently.",
                    "Add about %(short)d characters: a concrete example, a number or what you "
                    "would do differently.",
                    short,
                )
                % {"short": short},
            )
        ]
    return []


MIN_PARAGRAPHS = 3


def check_paragraphs(post: Post, settings: LintSettings) -> list[Finding]:
    findings = []
    for number, paragraph in enumerate(post.paragraphs, start=1):
        if len(paragraph) > settings.max_paragraph_chars:
            findings.append(
                Finding(
                    "long-paragraph",
                    WARNING,
                    _(
                        'Paragraph %(number)d ("%(start)s") is %(length)d characters; on a '
                        "phone that is a solid block."
                    )
                    % {"number": number, "start": _quote(paragraph), "length": len(paragraph)},
                    _(
                        "Split it into paragraphs of one or two sentences, each under "
                        "%(max)d characters, with a blank line between them."
                    )
                    % {"max": settings.max_paragraph_chars},
                )
            )
    # A post longer than two full paragraphs needs at least three to be readable.
    if post.length > 2 * settings.max_paragraph_chars and len(post.paragraphs) < MIN_PARAGRAPHS:
        findings.append(
            Finding(
                "wall-of-text",
                WARNING,
                ngettext(
                    "%(length)d characters in %(count)d paragraph read as a wall of text.",
                    "%(length)d characters in %(count)d paragraphs read as a wall of text.",
                    len(post.paragraphs),
                )
                % {"length": post.length, "count": len(post.paragraphs)},
                _(
                    "Put a blank line after every one or two sentences; aim for at least "
                    "%(min)d short paragraphs."
                )
                % {"min": MIN_PARAGRAPHS},
            )
        )
    return findings


def check_hashtags(post: Post, settings: LintSettings) -> list[Finding]:
    findings = []
    if len(post.hashtags) > settings.max_hashtags:
        keep = ", ".join(post.hashtags[: settings.max_hashtags])
        findings.append(
            Finding(
                "too-many-hashtags",
                WARNING,
                _("The post has %(count)d hashtags (%(tags)s); more than %(max)d looks spammy.")
                % {
                    "count": len(post.hashtags),
                    "tags": ", ".join(post.hashtags),
                    "max": settings.max_hashtags,
                },
                _("Keep the %(max)d most relevant, e.g. %(keep)s, and delete the rest.")
                % {"max": settings.max_hashtags, "keep": keep},
            )
        )
    if post.body_hashtags:
        tags = ", ".join(dict.fromkeys(post.body_hashtags))
        findings.append(
            Finding(
                "hashtags-in-body",
                TIP,
                _("Hashtags in the middle of the text (%(tags)s) break the reading flow.")
                % {"tags": tags},
                _("Write those words without the # and put the hashtags on the last line."),
            )
        )
    return findings


CALL_TO_ACTION = re.compile(
    r"\b(?:comments?|dm|dms|message me|send me|repl(?:y|ies)|book|let's talk|talk soon|"
    r"share|tell me|what's your|what is your|reach out|get in touch|contact me|drop me|"
    r"drop a|follow|subscribe|sign up|register|download|join|ping me|repost|let me know|"
    r"i'd love to hear|i would love to hear|curious to hear|schedule|call me|write to me|"
    r"link in the (?:first )?comment|"
    # German, as the engine writes it and consultants do: "Schreiben Sie mir", "Melden Sie
    # sich", "Lassen Sie uns sprechen", "Kommentieren Sie …", "Link im ersten Kommentar".
    r"schreiben sie mir|schreib mir|melden sie sich|meld dich|lassen sie uns|lass uns|"
    r"sprechen wir|kommentieren sie|kommentiere|kommentar|nachricht|schicken sie mir|"
    r"schick mir|erzählen sie|erzähl mir|teilen sie|kontaktieren sie|termin|buchen sie|"
    r"ich freue mich auf|link im ersten kommentar)\b",
    re.IGNORECASE,
)


def check_call_to_action(post: Post, settings: LintSettings) -> list[Finding]:
    last = post.paragraphs[-1] if post.paragraphs else ""
    if "?" in last or CALL_TO_ACTION.search(_fold_quotes(last)):
        return []
    return [
        Finding(
            "no-call-to-action",
            WARNING,
            _('The last paragraph ("%(end)s") ends without a question or a call to action.')
            % {"end": _quote(last)},
            _(
                'End with a question readers can answer ("What\'s your rule for …?") or an '
                "offer (\"DM me 'audit' and I'll send the checklist\")."
            ),
        )
    ]


def check_links(post: Post, settings: LintSettings) -> list[Finding]:
    return [
        Finding(
            "link-in-body",
            WARNING,
            _(
                "The link %(url)s is in the body; LinkedIn shows posts with outbound links to "
                "fewer people."
            )
            % {"url": url},
            _('Move %(url)s to a first comment and write "link in the first comment".')
            % {"url": url},
        )
        for url in dict.fromkeys(post.urls)
    ]


# Function words and words too common in any post to count as repetition.
_STOPWORDS = """
    about above after again against also although always among another anyone anything around
    because been before being below between both cannot could couldn't didn't does doesn't
    doing done don't down during each either else enough even ever every everyone everything
    from further going gonna good great hadn't hasn't have haven't having he'd he'll here
    here's hers herself himself into isn't it'll it's itself just know last least less like
    made make makes many maybe might more most much must myself need needs never next none
    nothing often once only other others ought ours ourselves over really said same says see
    seen shall she'd she'll should shouldn't since some someone something still such take than
    that that's their theirs them themselves then there there's these they they'd they'll
    they're they've thing things think this those though through thus time times today together
    told took toward towards under until upon very want wants wasn't we'd we'll we're we've
    well went were weren't what what's whatever when where where's whether which while who
    who's whole whom whose will with within without won't would wouldn't year years yet you'd
    you'll you're you've your yours yourself yourselves
    aber alle allem allen aller alles also andere anderen anderer anderes auch bald beim
    bereits bisher bleibt damit dann darf darum dass davon dazu dabei dafür denn dennoch
    deren dessen diese diesem diesen dieser dieses doch dort durch eine einem einen einer
    eines einfach etwa etwas euch eure fast ganz gegen gibt haben habe hatte hatten heute
    hier hinter ihnen ihre ihrem ihren ihrer immer jede jedem jeden jeder jedes jetzt kann
    kein keine keinem keinen keiner können könnte lange mehr mein meine meinem meinen meiner
    meist mich mögen muss müssen nach neben nicht noch nichts nur oder ohne schon sehr sein
    seine seinem seinen seiner seit selbst sich sind sollte sollten sondern statt über unter
    uns unser unsere unseren viel viele vielen voll vom von weil wenig wenn werden wieder
    will wird wollen wurde wurden zwischen
"""
STOPWORDS = frozenset(_STOPWORDS.split())
MIN_REPEATED_WORD_LENGTH = 4
REPEAT_WORDS_PER_ALLOWED_USE = 50  # one more use allowed per 50 words of text


def check_repeated_words(post: Post, settings: LintSettings) -> list[Finding]:
    allowed = max(3, len(post.words) // REPEAT_WORDS_PER_ALLOWED_USE)
    counts = Counter(
        word
        for word in post.words
        if len(word) >= MIN_REPEATED_WORD_LENGTH and word not in STOPWORDS
    )
    repeated = [(word, count) for word, count in counts.most_common() if count > allowed]
    return [
        Finding(
            "repeated-word",
            TIP,
            _('"%(word)s" appears %(count)d times.') % {"word": word, "count": count},
            _(
                'Keep "%(word)s" at most %(allowed)d times: use a synonym, a pronoun, or cut '
                "the sentence that repeats it."
            )
            % {"word": word, "allowed": allowed},
        )
        for word, count in repeated[:MAX_REPEATED_WORD_FINDINGS]
    ]


# Generic phrases that make a post read like everyone else's (or like a chatbot's), each with
# the plain alternative. Patterns match after curly quotes are straightened.
FILLER_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"in today's (?:fast-paced|fast paced|digital|ever-changing|modern) (?:world|age|era)",
        gettext_noop("Delete it and start with your point."),
    ),
    (
        r"game[- ]?chang(?:er|ers|ing)",
        gettext_noop("Say what changed and by how much, e.g. “deploys went from 40 to 8 minutes”."),
    ),
    (r"delv(?:e|es|ed|ing)", gettext_noop("Say “look at” or “dig into”.")),
    (
        r"unlock(?:s|ed|ing)?",
        gettext_noop("Say what the reader can now do, e.g. “lets you ship on Fridays”."),
    ),
    (r"leverag(?:e|es|ed|ing)", gettext_noop("Say “use”.")),
    (r"synerg(?:y|ies|istic)", gettext_noop("Say who works with whom and what it gains.")),
    (
        r"revolutioni[sz](?:e|es|ed|ing)",
        gettext_noop("Say what changes, and give the number before and after."),
    ),
    (
        r"cutting[- ]edge",
        gettext_noop("Name the technology and what it does better than the old one."),
    ),
    (r"in conclusion", gettext_noop("Delete it; the last paragraph is the conclusion.")),
    (r"it's no secret", gettext_noop("Delete it and state the fact.")),
    (r"let that sink in", gettext_noop("Delete it; a strong point needs no prompt.")),
    (
        r"navigat(?:e|es|ing) the complexit(?:y|ies)",
        gettext_noop("Name the one hard part and how you handled it."),
    ),
    (
        r"ever[- ]evolving(?: landscape)?",
        gettext_noop("Say what changed, and when."),
    ),
    (r"unleash(?:es|ed|ing)?", gettext_noop("Say “use” or “start”.")),
    (r"seamless(?:ly)?", gettext_noop("Say what the user no longer has to do.")),
    (r"elevat(?:e|es|ed|ing)", gettext_noop("Say “improve”, and by how much.")),
    (
        r"robust",
        gettext_noop("Say what it survives, e.g. “keeps serving when a zone goes down”."),
    ),
    (r"harness(?:es|ed|ing)? the power", gettext_noop("Say “use” and name the tool.")),
    (r"paradigm shift", gettext_noop("Say what people did before and what they do now.")),
    (r"at the end of the day", gettext_noop("Delete it.")),
    (r"think(?:ing)? outside the box", gettext_noop("Describe the unusual thing you did.")),
    (r"move the needle", gettext_noop("Name the metric and how far it moved.")),
    (r"best[- ]in[- ]class", gettext_noop("Say what it beats, and by how much.")),
    (r"world[- ]class", gettext_noop("Give the evidence: a number, a client, a result.")),
    (
        r"state[- ]of[- ]the[- ]art",
        gettext_noop("Name the technology and what it does better than the old one."),
    ),
    (r"in the realm of", gettext_noop("Say “in”.")),
    (r"(?:a )?testament to", gettext_noop("Say “shows”.")),
    (r"rich tapestry|tapestry", gettext_noop("Say plainly what the parts are.")),
    (r"low[- ]hanging fruit", gettext_noop("Name the quick win and what it saves.")),
    (
        r"take (?:it|this|your \w+) to the next level",
        gettext_noop("Say what gets better, and by how much."),
    ),
    (r"deep dive", gettext_noop("Say “a close look” or just what you looked at.")),
    (r"empower(?:s|ed|ing)?", gettext_noop("Say what people can now do on their own.")),
    (r"thought leader(?:ship)?", gettext_noop("Delete it; show expertise with a story.")),
)


# One pass over the text for all of them (a regex per phrase is ten times slower).
FILLER = re.compile(
    r"\b(?:"
    + "|".join(f"(?P<filler{n}>{pattern})" for n, (pattern, _fix) in enumerate(FILLER_PHRASES))
    + r")\b",
    re.IGNORECASE,
)


def check_filler(post: Post, settings: LintSettings) -> list[Finding]:
    findings = []
    seen = set()
    for match in FILLER.finditer(_fold_quotes(post.text)):
        phrase = post.text[match.start() : match.end()]
        if phrase.lower() in seen:
            continue
        seen.add(phrase.lower())
        fix = FILLER_PHRASES[int(match.lastgroup.removeprefix("filler"))][1]
        findings.append(
            Finding(
                "filler-phrase",
                WARNING,
                _('"%(phrase)s" is a generic filler phrase; readers skim past it.')
                % {"phrase": phrase},
                _(fix),
            )
        )
    return findings


# --- What a reader would catch ----------------------------------------------------------------
#
# A post goes out under the consultant's name, so these rules look for what would embarrass
# them: a figure they never gave us, a repeated line, two team sizes for one client, the
# engine's known grammar slips, a field they do not work in, a post with nothing of theirs in
# it, and a gap left for their own example. Any of these caps the score at
# MAX_SCORE_WITH_READER_PROBLEM.

MAX_SCORE_WITH_READER_PROBLEM = 70
READER_RULES = frozenset(
    {
        "unsupported-figure",
        "repeated-line",
        "contradiction",
        "broken-grammar",
        "off-profile",
        "generic-post",
        "unfilled-gap",
        "invented-story",
    }
)


# Topic areas a post can drift into, by words and hashtags that say the area clearly (words
# shared between areas, like "DevOps" or "cost", are left out). Keys follow the engine's areas,
# except that its analytics engineering (dbt, the warehouse) counts as data here: a data
# engineer writing about dbt, or an analytics engineer about pipelines, has not drifted. In the
# same way its MLOps (model registry, feature store, drift) counts as ai.
AREA_TERMS: dict[str, tuple[str, ...]] = {
    "security": (
        "security",
        "cybersecurity",
        "cyber security",
        "infosec",
        "devsecops",
        "appsec",
        "cloudsecurity",
        "zerotrust",
        "zero trust",
        "pentest",
        "pentesting",
        "penetration testing",
        "soc2",
        "soc 2",
        "iso27001",
        "iso 27001",
        "ransomware",
        "vulnerability",
        "vulnerabilities",
        "siem",
        "threat model",
        "threat modeling",
        "sicherheit",
        "it-sicherheit",
        "cissp",
    ),
    "kubernetes": (
        "kubernetes",
        "k8s",
        "helm",
        "eks",
        "gke",
        "aks",
        "openshift",
        "cloudnative",
        "cloud native",
        "karpenter",
        "kubectl",
    ),
    "cloud": (
        "aws",
        "azure",
        "gcp",
        "finops",
        "cloudcost",
        "cloud cost",
        "cloud costs",
        "serverless",
        "lambda",
        "ec2",
        "cloud",
        "cloudarchitecture",
    ),
    "platform": (
        "platformengineering",
        "platform engineering",
        "platform team",
        "devex",
        "developer experience",
        "golden path",
        "backstage",
        "terraform",
        "iac",
    ),
    "cicd": (
        "cicd",
        "ci/cd",
        "gitops",
        "continuous delivery",
        "continuousdelivery",
        "continuous integration",
        "jenkins",
        "github actions",
        "argocd",
        "argo cd",
    ),
    "observability": (
        "observability",
        "sre",
        "opentelemetry",
        "monitoring",
        "tracing",
        "prometheus",
        "grafana",
        "on-call",
        "slo",
        "slos",
    ),
    "databases": (
        "postgresql",
        "postgres",
        "mysql",
        "database",
        "databases",
        "dynamodb",
        "mongodb",
        "aurora",
        "datenbank",
        "datenbanken",
    ),
    "data": (
        "dataengineering",
        "data engineering",
        "kafka",
        "etl",
        "elt",
        "dbt",
        "spark",
        "snowflake",
        "data platform",
        "dataplatform",
        "data warehouse",
        "datawarehouse",
        "analytics engineering",
        "analyticsengineering",
        "bigquery",
        "redshift",
        "streaming",
    ),
    "ai": (
        "ai",
        "ml",
        "llm",
        "llms",
        "mlops",
        "genai",
        "rag",
        "machine learning",
        "machinelearning",
        "model monitoring",
        "modelmonitoring",
        "model drift",
        "model registry",
        "feature store",
        "featurestore",
        "mlflow",
        "kubeflow",
        "artificial intelligence",
        "ki",
        "chatgpt",
    ),
}
# Areas a consultant in one area writes about without drifting (one way: a security consultant
# writes about cloud security, a cloud architect's security hashtags are drift).
AREA_NEIGHBOURS: dict[str, frozenset[str]] = {
    "security": frozenset({"cloud", "kubernetes", "platform", "cicd"}),
    "kubernetes": frozenset({"cloud", "platform", "cicd", "observability"}),
    "cloud": frozenset({"kubernetes", "platform", "cicd", "observability", "databases"}),
    "platform": frozenset({"kubernetes", "cloud", "cicd", "observability"}),
    "cicd": frozenset({"kubernetes", "cloud", "platform", "observability"}),
    "observability": frozenset({"kubernetes", "cloud", "platform", "cicd"}),
    "databases": frozenset({"data", "cloud"}),
    "data": frozenset({"databases", "ai", "cloud"}),
    # watching models in production is MLOps work: "monitoring" is no drift for it
    "ai": frozenset({"data", "observability"}),
}
_AREA_OF_TERM = {term: area for area, terms in AREA_TERMS.items() for term in terms}
AREA_TERM = re.compile(
    r"(?<![\w-])("
    + "|".join(re.escape(term) for term in sorted(_AREA_OF_TERM, key=len, reverse=True))
    + r")(?![\w-])"
)
MIN_BODY_TERMS_FOR_DRIFT = 3  # body words of an area before it counts (one hashtag is enough)

# Words any consultant's profile holds; sharing them with a post does not make it specific.
_GENERIC_WORDS = """
    team teams client clients company companies customer customers project projects work
    worked working result results problem problems time times cost costs help helped
    business people engineer engineers engineering years year experience expert expertise
    consultant consulting consultancy service services solution solutions technology
    technical tech software process processes change changes improve improved better faster
    month months week weeks days product products delivery deliver delivered support
    strategy growth value quality goal goals data system systems management manager senior
    lead leader leaders leading build built building code development developer developers
    architecture architect modern scale scaling review audit advice training workshop
    kunden kunde unternehmen projekt projekte ergebnis ergebnisse problem probleme jahre
    erfahrung beratung berater lösung lösungen technik entwicklung entwickler
"""
GENERIC_WORDS = frozenset(_GENERIC_WORDS.split())
MIN_SPECIFIC_WORD_LENGTH = 3


@dataclass(frozen=True)
class PostFacts:
    """What the workspace gave us, for the rules that compare a post with it. Built by
    `apps.content.selectors.lint_facts`; the linter itself stays a pure function.

    `known_figures` are the figures the proof vault, profile, past posts and topic support
    (`apps.content.facts.known_figures`); None means "not known", and figures go unchecked.
    `profile_texts` are the profile's areas, headline, industries, offers and case studies.
    """

    known_figures: frozenset[str] | None = None
    areas: tuple[str, ...] = ()
    profile_texts: tuple[str, ...] = ()
    topic: str = ""

    def with_topic(self, topic: str) -> "PostFacts":
        """The same facts for a post on `topic`: the figures the user typed in it count as
        given ("5 lessons from 40 upgrades")."""
        topic = (topic or "").strip()
        known = self.known_figures
        if known is not None:
            known = known | frozenset(figures_in(topic))
        return dataclasses.replace(self, topic=topic, known_figures=known)

    @cached_property
    def _text(self) -> str:
        return _fold_quotes(" ".join((*self.areas, *self.profile_texts, self.topic)).lower())

    @cached_property
    def own_story_words(self) -> tuple[frozenset[str], ...]:
        """The words of each profile text and proof point: a sentence sharing two of one entry
        tells that entry's story, in whatever words the consultant rewrote it."""
        entries = (_story_words(text) for text in self.profile_texts)
        return tuple(words for words in entries if len(words) >= 2)

    @cached_property
    def own_areas(self) -> frozenset[str]:
        """Areas the profile or the topic names."""
        return frozenset(_AREA_OF_TERM[match.group()] for match in AREA_TERM.finditer(self._text))

    @cached_property
    def covered_areas(self) -> frozenset[str]:
        """The profile's and topic's areas and their neighbours."""
        return self.own_areas.union(*(AREA_NEIGHBOURS.get(area, ()) for area in self.own_areas))

    @cached_property
    def specific_words(self) -> frozenset[str]:
        """Words only this consultant would use: those of the profile, proof vault and topic,
        and the vocabulary of the areas they name ("pentest" for "security")."""
        own = {
            word
            for word in WORD.findall(self._text)
            if len(word) >= MIN_SPECIFIC_WORD_LENGTH
            and word not in STOPWORDS
            and word not in GENERIC_WORDS
        }
        vocabulary = {
            term for area in self.own_areas for term in AREA_TERMS[area] if " " not in term
        }
        return frozenset(own | vocabulary)


FactRule = Callable[[Post, LintSettings, "PostFacts | None"], list[Finding]]

SENTENCE_SPLIT = re.compile(r"(?<=[.!?\u2026])\s+|\n+")
# Numbers that count the post's own parts or are idioms, not claims: list markers, "3 things",
# "step 2", "#1", "1️⃣", "24/7", "1:1".
_STRUCTURE_NOUNS = (
    r"things?|ways?|lessons?|mistakes?|steps?|questions?|reasons?|tips?|signs?|rules?|"
    r"options?|ideas?|patterns?|takeaways?|principles?|myths?|points?|habits?|traps?|"
    r"fixes|wins|moves|checks|decisions|changes|tools|practices|metrics|examples|truths|"
    r"signals|questions|"
    r"dinge|wege|lektionen|fehler|schritte|fragen|gründe|tipps|zeichen|regeln|optionen|"
    r"ideen|muster|punkte|prinzipien|mythen|gewohnheiten|fallen|maßnahmen|änderungen|"
    r"entscheidungen|werkzeuge|beispiele|lösungen|hebel|quick wins"
)
_SMALL_NUMBER = (
    r"\d|10|two|three|four|five|six|seven|eight|nine|ten|zwei|drei|vier|fünf|sechs|sieben|"
    r"acht|neun|zehn"
)
NOT_A_CLAIM = re.compile(
    r"^[ \t]*\d{1,2}[.)/][ \t]"
    r"|\b(?:step|part|top|schritt|teil|nr\.?|no\.?)[ \t]+\d{1,2}\b"
    # "3 quick wins", "3 Kubernetes-Fehler" (German compounds end in the noun)
    rf"|\b(?:{_SMALL_NUMBER})[ \t]+(?:[\w-]+[ \t]+){{0,3}}(?:\w+-)?(?:{_STRUCTURE_NOUNS})\b"
    r"|\b(?:first|ersten)[ \t]+(?:30|60|90|100)[ \t]+(?:days|tage|tagen)\b"
    r"|#\d+|\d\ufe0f?\u20e3|\b24/7\b|\b1:1\b|\b1-on-1\b"
    # Names with a number: standards and versions ("SOC 2", "ISO 27001", "Python 3.12").
    r"|\b(?:SOC|ISO|PCI(?: DSS)?|NIS|DORA|Python|Java|PHP|Web|HTTP|TLS|IPv|Level|Tier|"
    r"Layer|Gen|Postgres(?:QL)?|MySQL|Node(?:\.js)?|Angular|Vue|React|Rails|Django|"
    r"Windows|iOS|Android)[ \t]?\d+(?:\.\d+)*"
    # Dates and times of day are when, not how much: "since 2016", "at 3 a.m.", "17 Uhr".
    r"|\b(?:in|since|seit|im|until|bis|by|of|early|late|mid|anfang|ende|mitte|jahr|year)"
    r"[ \t]+(?:19|20)\d\d\b"
    r"|\b\d{1,2}(?::\d\d)?[ \t]?(?:a\.m\.|p\.m\.|am\b|pm\b|uhr\b)",
    re.IGNORECASE | re.MULTILINE,
)


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_SPLIT.split(text) if part.strip()]


MAX_FIGURE_FINDINGS = 5


def check_unsupported_figures(
    post: Post, settings: LintSettings, facts: PostFacts | None
) -> list[Finding]:
    if facts is None or facts.known_figures is None:
        return []
    # Gaps are the unfilled-gap rule's; their hints may hold names with numbers ("SOC 2").
    text = _mask(_mask(_mask(_mask(post.text, URL), HASHTAG), GAP_PATTERN), NOT_A_CLAIM)
    missing = unsupported_figures(text, facts.known_figures)
    if not missing:  # the usual case: one pass
        return []
    # Quote the sentence of the first few; past those, more findings only add noise.
    wanted = set(missing[:MAX_FIGURE_FINDINGS])
    findings, seen = [], set()
    for sentence in _sentences(text):
        if len(seen) == len(wanted):
            break
        for figure in unsupported_figures(sentence, facts.known_figures):
            if figure not in wanted or figure in seen:
                continue
            seen.add(figure)
            findings.append(
                Finding(
                    "unsupported-figure",
                    WARNING,
                    _(
                        'The figure %(figure)s ("%(sentence)s") is in none of your proof '
                        "points, your profile or your past posts. Readers take it as a fact "
                        "you stand behind."
                    )
                    % {"figure": figure, "sentence": _quote(sentence, 80)},
                    _(
                        "If it is true, add it to a case study in your proof vault; if not, "
                        "delete the number or the sentence."
                    ),
                )
            )
    return findings


SINGULAR_LABELS = frozenset(
    {
        "short version",
        "the short version",
        "in short",
        "bottom line",
        "the bottom line",
        "long story short",
        "my take",
        "the takeaway",
        "my advice",
        "in a nutshell",
        "kurz gesagt",
        "kurzfassung",
        "die kurzfassung",
        "unterm strich",
        "fazit",
        "mein fazit",
        "mein rat",
    }
)
MAX_LABEL_WORDS = 4


def _is_label(unit: str) -> bool:
    return unit.rstrip().endswith(":") and len(unit.split()) <= MAX_LABEL_WORDS


REPEAT_UNIT_SPLIT = re.compile(r"(?<=[.!?:\u2026])\s+")


def _line_key(text: str) -> str:
    return " ".join(WORD.findall(_fold_quotes(text).lower()))


def check_repeated_lines(
    post: Post, settings: LintSettings, facts: PostFacts | None = None
) -> list[Finding]:
    """The same line or sentence twice ("Short version:" twice) reads as a copy-paste slip."""
    text = _mask(post.text, HASHTAG)
    counts: Counter = Counter()
    first: dict[str, str] = {}
    for line in text.split("\n"):
        # Sentences, and labels such as "Short version:" that open a line.
        units = [part.strip() for part in REPEAT_UNIT_SPLIT.split(line) if part.strip()]
        keyed = [(_line_key(unit), unit) for unit in units]
        whole = _line_key(line)
        if whole not in {key for key, _unit in keyed}:  # "1. Measure" is the same as "Measure"
            keyed.append((whole, line.strip()))
        for key, unit in keyed:
            if len(key) < 10 or " " not in key:
                continue
            # "Myth: … What I see: …" three times is a deliberate pattern; "Short version:"
            # twice is not: a label that announces the one summary may appear once.
            if _is_label(unit) and key not in SINGULAR_LABELS:
                continue
            counts[key] += 1
            first.setdefault(key, unit)
    findings = []
    reported: list[str] = []
    for key, count in counts.items():
        # A repeated line is also a repeated sentence: report the longest repeat only.
        if count < 2 or any(key in longer for longer in reported):
            continue
        reported.append(key)
        findings.append(
            Finding(
                "repeated-line",
                WARNING,
                ngettext(
                    '"%(line)s" appears %(count)d time.',
                    '"%(line)s" appears %(count)d times.',
                    count,
                )
                % {"line": _quote(first[key], 60), "count": count},
                _("Keep it once: delete the repeat or say something new in its place."),
            )
        )
    return findings


_NUMBER = (
    r"\d{1,5}|"
    + _SMALL_NUMBER
    + r"|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    + (r"hundred|elf|zwölf|zwanzig|dreißig|vierzig|fünfzig|hundert")
)
# One alternation per way of saying it, the number pattern in each once (this runs on every
# keystroke): "team of 40", "Team von 40"; "40-person team", "40 engineers", "40-köpfiges Team".
# Employees and staff count a company, not a team: "200 employees, a team of 6" is fine.
TEAM_SIZE = re.compile(
    rf"\bteam (?:of|von) (?P<a>{_NUMBER})\b"
    rf"|\b(?P<b>{_NUMBER})(?:[- ](?:person|people|strong|member|engineer)s? team\b"
    r"|[- ]?köpfige[snm]? team\b"
    r"| (?:engineers|developers|devs|people on the team|entwickler(?:innen|n)?|"
    r"ingenieur(?:e|en|innen))\b)",
    re.IGNORECASE,
)
# A sentence that tells of a change or of another team may give a second size honestly.
TEAM_CHANGE = re.compile(
    r"\b(?:from|grew|grow|grown|hired|hiring|scaled|doubled|halved|shrank|another|other|"
    r"second|each|every|per|von \w+ auf|gewachsen|wuchs|eingestellt|verdoppelt|halbiert|"
    r"anderen?|anderes|zweiten?|jede[snrm]?)\b",
    re.IGNORECASE,
)


SENTENCE_START = re.compile(r"[.!?\u2026]\s|\n")


def _sentence_around(text: str, position: int) -> str:
    """The sentence (or line) of `text` that holds `position`."""
    start = 0
    for match in SENTENCE_START.finditer(text, 0, position):
        start = match.end()
    end_match = SENTENCE_START.search(text, position)
    return text[start : end_match.start() + 1 if end_match else len(text)]


def check_contradictions(
    post: Post, settings: LintSettings, facts: PostFacts | None = None
) -> list[Finding]:
    """Two team sizes for one client ("a team of 40" … "12 engineers") cannot both be true."""
    matches = list(TEAM_SIZE.finditer(post.text))
    if len(matches) < 2:  # the usual case
        return []
    sizes: dict[str, str] = {}
    for match in matches:
        if TEAM_CHANGE.search(_sentence_around(post.text, match.start())):
            continue
        figures = figures_in(match.group("a") or match.group("b"))
        if figures:
            sizes.setdefault(figures[0], match.group())
    if len(sizes) < 2:
        return []
    quoted = " / ".join(f'"{phrase}"' for phrase in sizes.values())
    return [
        Finding(
            "contradiction",
            WARNING,
            _("The post gives different team sizes: %(sizes)s. A reader asks which is true.")
            % {"sizes": quoted},
            _(
                "Keep the one from your case study and change or delete the other; if they "
                "are two teams, say so."
            ),
        )
    ]


# Doubles that are correct: "that that", "had had", German "die die", "das das".
_ALLOWED_DOUBLES = "that had very no so bye ha go really much many der die das den dem des sie es"
ALLOWED_DOUBLES = frozenset(_ALLOWED_DOUBLES.split())
DOUBLED_WORD = re.compile(r"\b([^\W\d_]+)\s+\1(?![\w'-])", re.IGNORECASE)  # not "on on-call"
# "The cost is real is nodes idling": a verb, one word, the same verb again. A question word
# or pronoun in the middle ("the question is what is possible") is correct English.
VERB_TWICE = re.compile(
    r"(?:\b([^\W\d_']+)[ \t]+)?\b(is|are|was|were|ist|sind|war)[ \t]+([^\W\d_]+)[ \t]+\2\b", re.I
)
_VERB_TWICE_OK_MIDDLE = """
    what who how where why which when whatever that this it there he she they we you i not
    what's was wer wie wo warum welche wann das es er sie wir ihr ich nicht
"""
VERB_TWICE_OK_MIDDLE = frozenset(_VERB_TWICE_OK_MIDDLE.split())
ARTICLE_CLASH = re.compile(r"\b(?:a|an|the)[ \t]+(?:a|an|the)\b", re.IGNORECASE)


def check_grammar(
    post: Post, settings: LintSettings, facts: PostFacts | None = None
) -> list[Finding]:
    """Slips a generator makes and a proofreader would not let through."""
    text = _mask(_mask(post.text, URL), HASHTAG)
    slips: list[str] = []
    for match in DOUBLED_WORD.finditer(text):
        if match.group(1).lower() not in ALLOWED_DOUBLES:
            slips.append(match.group())
    for match in VERB_TWICE.finditer(text):
        before, middle = match.group(1), match.group(3)
        # "What is missing is ownership" is correct: the first clause is the subject.
        if (before or "").lower() in VERB_TWICE_OK_MIDDLE or middle.lower() in VERB_TWICE_OK_MIDDLE:
            continue
        slips.append(match.group()[match.start(2) - match.start() :])
    slips += [match.group() for match in ARTICLE_CLASH.finditer(text)]
    return [
        Finding(
            "broken-grammar",
            WARNING,
            _('"%(phrase)s" is broken grammar; readers stop at it.') % {"phrase": phrase},
            _("Rewrite the sentence: delete the doubled word or split it into two sentences."),
        )
        for phrase in dict.fromkeys(slips)
    ]


def check_off_profile(post: Post, settings: LintSettings, facts: PostFacts | None) -> list[Finding]:
    """Hashtags or topic words from an area the profile lacks (security hashtags on a cloud
    architect's post) say the consultant does work they do not do."""
    if facts is None or not (facts.areas or facts.profile_texts or facts.topic):
        return []
    covered = facts.covered_areas
    tags: dict[str, list[str]] = {}
    for tag in post.hashtags:
        area = _AREA_OF_TERM.get(tag[1:].lower())
        if area and area not in covered:
            tags.setdefault(area, []).append(tag)
    body = _fold_quotes(_mask(_mask(post.text, URL), HASHTAG).lower())
    words: dict[str, list[str]] = {}
    for match in AREA_TERM.finditer(body):
        area = _AREA_OF_TERM[match.group()]
        if area not in covered:
            words.setdefault(area, []).append(match.group())
    findings = []
    for area in AREA_TERMS:
        found = tags.get(area, [])
        if len(words.get(area, [])) >= MIN_BODY_TERMS_FOR_DRIFT:
            found = found + list(dict.fromkeys(words[area]))
        if not found:
            continue
        findings.append(
            Finding(
                "off-profile",
                WARNING,
                _(
                    "%(terms)s belong to an area your profile does not list; readers will "
                    "think you work in it."
                )
                % {"terms": ", ".join(dict.fromkeys(found))},
                _(
                    "Use hashtags and words from your own areas (%(areas)s), or add the area "
                    "to your profile if you really work in it."
                )
                % {"areas": ", ".join(facts.areas) or "—"},
            )
        )
    return findings


def check_generic(post: Post, settings: LintSettings, facts: PostFacts | None) -> list[Finding]:
    """A post with nothing from the profile, proof vault or topic could be anyone's."""
    if facts is None or not facts.specific_words:
        return []
    if facts.specific_words.intersection(post.words):
        return []
    if facts.known_figures and facts.known_figures.intersection(figures_in(post.text)):
        return []
    return [
        Finding(
            "generic-post",
            WARNING,
            _(
                "Nothing in the post comes from your profile, your proof points or the "
                "topic; anyone could have written it."
            ),
            _(
                "Add one thing only you can say: a result from a case study, the client type, "
                "the tool you used or the topic in your own words."
            ),
        )
    ]


STORY_WORDS_SHARED = 2


def _story_words(text: str) -> frozenset[str]:
    return frozenset(
        word
        for word in WORD.findall(_fold_quotes(text).lower())
        if len(word) >= 4 and word not in STOPWORDS
    )


def check_invented_story(
    post: Post, settings: LintSettings, facts: PostFacts | None
) -> list[Finding]:
    """A post telling of the consultant's own past work ("A senior engineer pushed back",
    "we tracked it for a month") without telling any of their proof points: the test the engine
    applies to its own sentences (`apps.content.facts.tells_story`). A post that does tell a
    proof point (a story or a figure sharing two words with one) may tell its details in its
    own words."""
    if facts is None or not facts.profile_texts:
        return []
    if not tells_story(post.text):  # the usual case: one pass over the whole post
        return []
    own = facts.own_story_words
    sentences = _sentences(_mask(post.text, GAP_PATTERN))
    told = [s for s in sentences if tells_story(s) or figures_in(s)]
    if any(
        len(_story_words(sentence) & entry) >= STORY_WORDS_SHARED
        for sentence in told
        for entry in own
    ):
        # The post tells one of their proof points, in whatever words they chose; how it
        # went, step by step, is theirs to tell.
        return []
    for sentence in told:
        if not tells_story(sentence):
            continue
        return [
            Finding(
                "invented-story",
                WARNING,
                _(
                    '"%(sentence)s" tells of your own work, but none of your proof points '
                    "holds it. Readers take it as something that happened."
                )
                % {"sentence": _quote(sentence, 80)},
                _(
                    "If it happened, add it as a case study in your proof vault; if not, "
                    "rewrite it as advice or delete it."
                ),
            )
        ]
    return []


def check_gaps(post: Post, settings: LintSettings, facts: PostFacts | None = None) -> list[Finding]:
    return [
        Finding(
            "unfilled-gap",
            ERROR,
            _('"%(gap)s" is still a gap for your own example.') % {"gap": _quote(gap, 80)},
            _(
                "Replace it with a true example from your work (client type, what you did, "
                "the result), or delete the sentence."
            ),
        )
        for gap in dict.fromkeys(find_gaps(post.text))
    ]


FACT_RULES: tuple[FactRule, ...] = (
    check_unsupported_figures,
    check_repeated_lines,
    check_contradictions,
    check_grammar,
    check_off_profile,
    check_generic,
    check_gaps,
    check_invented_story,
)


RULES: tuple[Rule, ...] = (
    check_hook,
    check_length,
    check_paragraphs,
    check_hashtags,
    check_call_to_action,
    check_links,
    check_repeated_words,
    check_filler,
)


# --- Near-duplicates --------------------------------------------------------------------------


class EarlierPosts(SimilarityIndex):
    """A workspace's earlier posts prepared once for fast near-duplicate checks, so linting as
    the user types does not prepare 1,000 posts per keystroke. The measure is the one the
    engine and plan-my-week use (`apps.content.similarity`)."""

    def __init__(self, texts: Sequence[str], *, past_texts: Sequence[str] = ()):
        """`texts` are the workspace's posts; `past_texts` the consultant's imported past
        posts, indexed after them (a match there is named as a past post)."""
        if isinstance(texts, str) or isinstance(past_texts, str):
            raise TypeError("EarlierPosts takes a sequence of posts, not one string")
        self.first_past_post = len(texts)
        super().__init__([_normalise_newlines(text) for text in (*texts, *past_texts)])


def check_near_duplicate(
    similarity: float, settings: LintSettings, index: int | None, first_past_post: int | None = None
) -> list[Finding]:
    if index is None or similarity < settings.near_duplicate_threshold:
        return []
    percent = round(similarity * 100)
    severity = ERROR if similarity >= DUPLICATE_ERROR_SIMILARITY else WARNING
    if first_past_post is not None and index >= first_past_post:
        message = _(
            "This post is %(percent)d%% similar to your imported past post #%(number)d; "
            "readers who saw that one notice the repeat."
        ) % {"percent": percent, "number": index - first_past_post + 1}
    else:
        message = _(
            "This post is %(percent)d%% similar to earlier post #%(number)d; LinkedIn "
            "rejects duplicate posts and readers notice repeats."
        ) % {"percent": percent, "number": index + 1}
    return [
        Finding(
            "near-duplicate",
            severity,
            message,
            _(
                "Change the angle: a different example, a new number or the opposite "
                "question, or delete the earlier post's repeated paragraphs from this one."
            ),
        )
    ]


# --- Entry points -----------------------------------------------------------------------------


def lint_post(
    text: str,
    *,
    earlier_posts: "Sequence[str] | EarlierPosts" = (),
    settings: LintSettings | None = None,
    facts: PostFacts | None = None,
    images_without_alt: int = 0,
) -> LintResult:
    """Score `text` and list what to fix. `earlier_posts` are the workspace's published or
    scheduled posts and imported past posts (not this one); pass an `EarlierPosts` to lint
    repeatedly against them. `facts` is what the workspace gave us (known figures, profile
    areas, proof vault, topic; `selectors.lint_facts` builds it): without it, the rules that
    compare the post with the workspace's own material are skipped.

    `similarity` is always the highest similarity to an earlier post (0.0 when there are none);
    `similar_to_index` is set only when that is a near-duplicate."""
    settings = settings or LintSettings()
    post = Post.parse(text)
    if not post.text:
        return LintResult(
            score=0,
            findings=(
                Finding("empty", ERROR, _("The post is empty."), _("Write the post first.")),
            ),
            escaped_length=post.escaped_length,
            length=post.length,
            preview="",
            hook="",
        )
    findings = [finding for rule in RULES for finding in rule(post, settings)]
    findings += [finding for rule in FACT_RULES for finding in rule(post, settings, facts)]
    if not isinstance(earlier_posts, EarlierPosts):
        earlier_posts = EarlierPosts(earlier_posts)
    index, similarity = earlier_posts.most_similar(post.text)
    findings += check_near_duplicate(similarity, settings, index, earlier_posts.first_past_post)
    findings += check_alt_text(images_without_alt)
    findings.sort(key=lambda finding: SEVERITY_ORDER[finding.severity])
    penalty = sum(SEVERITY_WEIGHTS[finding.severity] for finding in findings)
    score = max(0, 100 - penalty)
    if any(finding.rule in READER_RULES for finding in findings):
        score = min(score, MAX_SCORE_WITH_READER_PROBLEM)
    near_duplicate = any(finding.rule == "near-duplicate" for finding in findings)
    return LintResult(
        score=score,
        findings=tuple(findings),
        escaped_length=post.escaped_length,
        length=post.length,
        preview=_preview(post.text, settings.fold_chars),
        hook=post.hook,
        similar_to_index=index if near_duplicate else None,
        similarity=similarity,
    )


# Representative filler phrases named in the prompt (the linter knows more variants).
PROMPT_FILLER_PHRASES = (
    "in today's fast-paced world",
    "game-changer",
    "delve",
    "unlock",
    "leverage",
    "synergy",
    "revolutionize",
    "cutting-edge",
    "in conclusion",
    "it's no secret",
    "let that sink in",
    "navigate the complexities",
    "ever-evolving landscape",
    "unleash",
    "seamless",
    "elevate",
    "robust",
    "harness the power",
    "paradigm shift",
    "at the end of the day",
    "think outside the box",
    "move the needle",
    "best-in-class",
    "world-class",
    "state-of-the-art",
    "in the realm of",
    "testament to",
    "tapestry",
    "low-hanging fruit",
    "take it to the next level",
    "deep dive",
    "empower",
    "thought leader",
)


def rules_for_prompt(settings: LintSettings | None = None) -> str:
    """The rules as a short plain-English list for an LLM prompt (in English, for the model)."""
    settings = settings or LintSettings()
    low, high = settings.sweet_spot
    fillers = ", ".join(f'"{phrase}"' for phrase in PROMPT_FILLER_PHRASES)
    lines = [
        f"- Put the hook in the first paragraph and keep it under {settings.fold_chars} "
        'characters (line breaks count): that is all readers see before "see more". Open with '
        'a result, a number or a claim, never with "I am excited" or "Hello everyone".',
        f"- Aim for {low} to {high} characters in total; never more than "
        f"{settings.max_escaped_length}.",
        f"- Short paragraphs of one or two sentences, each under {settings.max_paragraph_chars} "
        "characters, separated by blank lines.",
        f"- At most {settings.max_hashtags} hashtags, all on the last line.",
        "- End with a question to readers or a call to action (comment, DM me, book a call).",
        "- No links in the body; a link goes in the first comment.",
        "- Do not repeat the same word again and again.",
        f"- No generic filler phrases: {fillers}. Say it plainly and give the number instead.",
        "- Do not repeat an earlier post.",
        # The reader rules (the rule against inventing facts is in the prompt itself).
        "- Never repeat a line or a sentence within the post, not even a label such as "
        '"Short version:".',
        "- Give one team size per client, and keep every figure consistent.",
        "- Hashtags and topic words only from the consultant's own areas.",
        '- Proofread: no doubled words ("the the"), no "X is Y is Z" sentences.',
    ]
    return "\n".join(lines)


# --- Media (issue 18) -------------------------------------------------------------------------


def check_alt_text(images_without_alt: int) -> list[Finding]:
    """Images without alt text: people using screen readers get nothing from them."""
    if not images_without_alt:
        return []
    return [
        Finding(
            "alt-text-missing",
            WARNING,
            ngettext(
                "%(n)d image has no alt text.", "%(n)d images have no alt text.", images_without_alt
            )
            % {"n": images_without_alt},
            _("Describe each image in a sentence under Images and documents, below the editor."),
        )
    ]
