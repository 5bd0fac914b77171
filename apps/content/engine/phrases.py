"""The engine's own lines, per language: topic lines, bridges, gaps, tool comparisons,
background and takeaway lines. None states a figure or a client story."""

STORY_GAPS = {
    "en": "a project of yours on {topic}: the client, the problem, what you did, the result "
    "with a number",
    "de": "ein eigenes Projekt zu {topic}: Kunde, Problem, was Sie getan haben, das Ergebnis "
    "mit einer Zahl",
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
LIST_MARKERS = ("→", "•", "—", "1.")


COUNT_MARK = "\x03"  # where the number of list items goes once the list is final
TOPIC_HOOKS = {
    "en": ("Let's talk about {topic}.", "{topic}: where I'd start."),
    "de": ("Reden wir über {topic}.", "{topic}: wo ich anfangen würde."),
}
# A comparison topic ("Karpenter vs Cluster Autoscaler on EKS") gets a body sentence about its
# own two tools: advice and questions, never a claim about a client.
TOOL_LINES = {
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
}


CONTEXT_LINES = {
    "en": (
        "For context: {years} years in {area} and {area2}, mostly with {industry} teams.",
        "This comes from {years} years of {area} work, a lot of it in {industry}.",
        "Some background: I do {offer} work with {industry} teams.",
        "I've seen this pattern at {industry} companies more often than I can count.",
    ),
    "de": (
        "Zum Hintergrund: {years} Jahre {area} und {area2}, vor allem mit Teams aus {industry}.",
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
