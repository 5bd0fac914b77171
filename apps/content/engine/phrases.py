"""The engine's own lines, per language: topic lines, bridges, gaps, tool comparisons,
background and takeaway lines. None states a figure or a client story."""

STORY_GAPS = {
    "en": "a project of yours on {topic}: the client, the problem, what you did, the result "
    "with a number",
    "de": "ein eigenes Projekt zu {topic}: Kunde, Problem, was Sie getan haben, das Ergebnis "
    "mit einer Zahl",
}
# The consultant's own mistake in a story told from a case study: no vault field records one,
# so the line telling it is theirs to fill ("What I did: [your example: …]").
OWN_MISTAKE_GAPS = {
    "en": "what you got wrong on {topic}, in a sentence",
    "de": "was Sie selbst zum Thema {topic} falsch gemacht haben, in einem Satz",
}
RESULT_GAPS = {
    "en": "what changed for the client, with a number you measured",
    "de": "was sich beim Kunden verändert hat, mit einer gemessenen Zahl",
}
VAGUE_TIMEFRAMES = {"en": "a few weeks", "de": "einige Wochen"}
RESULT_LINES = {"en": "The result: {case_outcome}.", "de": "Das Ergebnis: {case_outcome}."}
TOPIC_LINES = {
    "en": ("Today: {topic}.", "A few thoughts on {topic}.", "This one is about {topic}."),
    "de": ("Heute: {topic}.", "Ein paar Gedanken zu {topic}.", "Heute geht es um {topic}."),
}
# Fillers for profile data that is missing, so no post says "None" or "in  years".
MISSING = {
    "en": {
        "area": "software delivery",
        "industry": "software",  # not "SaaS": an industry the profile never named
        "offer": "advisory",
        "offer_role": "consultant",
        "years": "many",
        "name": "me",
    },
    "de": {
        "area": "Softwareentwicklung",
        "industry": "Software",
        "offer": "Beratung",
        "offer_role": "Berater",
        "years": "vielen",
        "name": "mir",
    },
}
BRIDGES = {
    "en": {
        "bold": ("I'll say it plainly.", "Unpopular, but true.", "Here's the uncomfortable part."),
        "analytical": ("Numbers first.", "Let's be precise.", "Look at the numbers."),
        "friendly": ("Let me explain.", "Here's what I mean.", "Bear with me."),
        "direct": ("Short version:", "Here's what matters.", "No theory. Just what worked."),
    },
    "de": {
        "bold": ("Ich sage es direkt.", "Unbequem, aber wahr.", "Jetzt der unbequeme Teil."),
        "analytical": ("Erst die Zahlen.", "Genau hingeschaut:", "Die Zahlen zuerst."),
        "friendly": ("Kurz erklärt.", "Was ich damit meine:", "Ein Beispiel."),
        "direct": (
            "Kurz gesagt:",
            "Worauf es ankommt:",
            "Keine Theorie, nur was funktioniert hat.",
        ),
    },
}
# Bridges that promise what follows them: a figure, or something that worked. "Numbers
# first." over a paragraph of advice, or "Just what worked." over a post that tells no story
# of the consultant's, promise what the draft never gives (see rendering.bridge_fits).
BRIDGES_PROMISING_NUMBERS = frozenset(
    {"Numbers first.", "Look at the numbers.", "Erst die Zahlen.", "Die Zahlen zuerst."}
)
BRIDGES_PROMISING_RESULTS = frozenset(
    {"No theory. Just what worked.", "Keine Theorie, nur was funktioniert hat."}
)
LIST_MARKERS = ("→", "•", "—", "1.")


COUNT_MARK = "\x03"  # where the number of list items goes once the list is final
TOPIC_HOOKS = {
    "en": ("Let's talk about {topic}.", "{topic}: where I'd start."),
    "de": ("Reden wir über {topic}.", "{topic}: wo ich anfangen würde."),
}
# A comparison topic ("Karpenter vs Cluster Autoscaler on EKS") gets a body sentence about its
# own two tools: advice and questions, never a claim about a client.
TOOL_LINES = {
    # Tools and products ("Karpenter vs Cluster Autoscaler"): what the team can run and leave.
    "tool": {
        "en": (
            "{tool_a} or {tool_b}: ask which one your team can run, debug at night and leave "
            "again, not which one has the longer feature list.",
            "An honest comparison of {tool_a} and {tool_b} starts with your own workloads, not "
            "with a benchmark from somebody else's.",
            "Try {tool_a} and {tool_b} on a real workload of yours before deciding. Your own "
            "numbers beat any blog post, this one included.",
        ),
        "de": (
            "{tool_a} oder {tool_b}: Fragen Sie, welches Ihr Team betreiben, nachts debuggen und "
            "wieder ablösen kann, nicht welches die längere Feature-Liste hat.",
            "Ein ehrlicher Vergleich von {tool_a} und {tool_b} beginnt mit Ihren eigenen "
            "Workloads, nicht mit dem Benchmark von jemand anderem.",
            "Testen Sie {tool_a} und {tool_b} an einem echten Workload, bevor Sie entscheiden. "
            "Eigene Messwerte schlagen jeden Blogartikel, auch diesen.",
        ),
    },
    # Standards and frameworks to certify against ("SOC 2 vs ISO 27001"): nobody debugs an
    # audit at night; what decides is who asks for it and what evidence the team can keep up.
    "standard": {
        "en": (
            "{tool_a} or {tool_b}: start with who is asking. Which one do your customers' "
            "security questionnaires name, and which one can your team keep the evidence for, "
            "every week rather than once a year?",
            "An honest comparison of {tool_a} and {tool_b} starts with the deals you are losing "
            "without it, not with a feature table of the standards.",
            "{tool_a} and {tool_b} share most of their controls. Map the ones you already have "
            "before choosing; the gap is usually smaller than the sales pitch suggests.",
        ),
        "de": (
            "{tool_a} oder {tool_b}: Fangen Sie bei der Frage an, wer es verlangt. Welchen "
            "Nachweis nennen die Sicherheitsfragebögen Ihrer Kunden, und für welchen kann Ihr "
            "Team die Belege jede Woche pflegen, nicht nur einmal im Jahr?",
            "Ein ehrlicher Vergleich von {tool_a} und {tool_b} beginnt bei den Aufträgen, die "
            "Ihnen ohne Nachweis entgehen, nicht bei einer Tabelle der Anforderungen.",
            "{tool_a} und {tool_b} teilen die meisten Kontrollen. Erfassen Sie, was Sie schon "
            "haben, bevor Sie wählen; die Lücke ist meist kleiner als das Verkaufsgespräch.",
        ),
    },
    # Two ways of working ("monorepo vs polyrepo", "build vs buy"): a decision to revisit.
    "approach": {
        "en": (
            "{tool_a} or {tool_b}: both work somewhere. Write down what would make you switch "
            "back, before you start, and look at it again in a quarter.",
            "The better of {tool_a} and {tool_b} is the one your team can explain and live "
            "with, not the one that won the last conference talk.",
        ),
        "de": (
            "{tool_a} oder {tool_b}: Beides funktioniert irgendwo. Schreiben Sie vorher auf, "
            "was Sie zum Zurückwechseln bringen würde, und schauen Sie nach einem Quartal "
            "wieder drauf.",
            "Die bessere Wahl zwischen {tool_a} und {tool_b} ist die, die Ihr Team erklären und "
            "tragen kann, nicht die aus dem letzten Konferenzvortrag.",
        ),
    },
}


CONTEXT_LINES = {
    "en": (
        "For context: {years} years in {area} and {area2}, mostly with {industry} teams.",
        "This comes from {years} years of work in {area}, much of it with {industry} teams.",
        "Some background: I do {offer} work with {industry} teams.",
        "I've seen this pattern at {industry} companies more often than I can count.",
    ),
    "de": (
        "Zum Hintergrund: {years} Jahre {area} und {area2}, vor allem mit Teams aus dem Bereich "
        "{industry}.",
        "Das stammt aus {years} Jahren Arbeit mit {area}, oft im Bereich {industry}.",
        # "als {offer}" read "als security audit"; the role fits the sentence.
        "Zum Hintergrund: Ich arbeite als {offer_role} mit Teams aus dem Bereich {industry}.",
        "Dieses Muster habe ich in Unternehmen aus dem Bereich {industry} oft gesehen.",
    ),
}
TAKEAWAY_LINES = {
    "en": (
        "If you do one thing this week: {tip}.",
        "The cheapest first step: {tip}.",
        "My advice if you start tomorrow: {tip}.",
        "One habit worth stealing: {tip}.",
    ),
    "de": (
        "Wenn Sie diese Woche nur eins tun: {tip}.",
        "Der günstigste erste Schritt: {tip}.",
        "Mein Rat, wenn Sie morgen anfangen: {tip}.",
    ),
}

# A proof point's problem typed as a clause ("failed its first ISO 27001 stage-one audit"),
# told with its subject; in a German draft, English notes are quoted as the consultant's own.
PROBLEM_LINES = {
    "en": "Where it started: {subject} {problem}.",
    "de": "Der Ausgangspunkt: Der Kunde{client} {problem}.",
    "de_quoted": "Der Ausgangspunkt beim Kunden{client}, in den Worten meiner Fallstudie: "
    "„{problem}“.",
}
