"""Build `corpus.csv`, the templated part of the intent classifier's training corpus.

Run it from the repository root: `.venv/bin/python apps/leads/data/build_corpus.py`. It is
deterministic (fixed seed, no clock, no network), so the committed CSV can always be rebuilt and
diffed. `handwritten.csv` next to it is *not* generated: those comments were written one by one
and are kept as they are; most of them sit in the held-out split.

How the comments are put together: every intent has bodies (the sentence that carries the
intent) in English and German, with slots for a technical field, a company, a role, an urgency
or a budget. A comment is an optional opener ("Great post.", "Hallo Anna,") + an optional
context sentence + the body + an optional urgency sentence + an optional closer, after which a
share of comments get casual noise: lower case, no final punctuation, a typo, an emoji.

Held-out rows differ in *form*, not only in which rows were drawn: each intent's bodies are
split into a training list and a held-out list, and a few fields, openers and closers appear
only in held-out rows, so the evaluation measures how the model copes with phrasings it has
never seen. About 20% of every intent is held out (stratified), counting the hand-written
comments. Texts are de-duplicated case-insensitively across both splits.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

SEED = 6_2024
HERE = Path(__file__).resolve().parent
OUT = HERE / "corpus.csv"
HANDWRITTEN = HERE / "handwritten.csv"
HELDOUT_SHARE = 0.20
GERMAN_SHARE = 0.30

# Comments per intent (templated + hand-written), roughly how often each shows up under posts.
TARGETS = {
    "direct_inquiry": 340,
    "pricing_question": 270,
    "hiring_signal": 250,
    "pain_signal": 290,
    "referral": 240,
    "technical_question": 320,
    "praise": 330,
    "spam": 270,
    "other": 310,
}

# --- Fields ---------------------------------------------------------------------------------
# English: (topic, thing) — "help with {topic}", "our {thing}".
FIELDS_EN = [
    ("Kubernetes", "Kubernetes migration"),
    ("Kubernetes", "EKS clusters"),
    ("Kafka", "Kafka cluster"),
    ("event streaming", "Kafka setup"),
    ("AWS cost", "AWS bill"),
    ("cloud cost", "GCP spend"),
    ("Azure", "Azure landing zone"),
    ("FinOps", "cloud costs"),
    ("Terraform", "Terraform codebase"),
    ("infrastructure as code", "Terraform modules"),
    ("pentesting", "pentest findings"),
    ("SOC 2", "SOC 2 readiness"),
    ("ISO 27001", "ISO 27001 certification"),
    ("security audits", "security posture"),
    ("data platforms", "data platform"),
    ("dbt", "dbt project"),
    ("Snowflake", "Snowflake costs"),
    ("data engineering", "data pipelines"),
    ("MLOps", "ML pipeline"),
    ("machine learning", "model deployment"),
    ("mobile", "mobile app"),
    ("legacy modernisation", "legacy monolith"),
    (".NET", ".NET Framework migration"),
    ("Java", "Java 8 to 17 upgrade"),
    ("observability", "observability stack"),
    ("monitoring", "alerting"),
    ("SRE", "on-call setup"),
    ("incident management", "incident process"),
    ("platform engineering", "internal developer platform"),
    ("platform teams", "platform team"),
    ("engineering leadership", "engineering org"),
    ("tech strategy", "tech roadmap"),
    ("architecture", "microservices architecture"),
    ("CI/CD", "CI pipeline"),
    ("Postgres", "Postgres performance"),
    ("GDPR", "GDPR setup"),
    ("cloud migration", "move to AWS"),
    ("DevOps", "deployment process"),
    ("LLMs", "LLM features"),
    ("IAM", "IAM setup"),
    ("hiring", "hiring process"),
    ("team building", "engineering team"),
]
FIELDS_EN_HELDOUT = [
    ("Elasticsearch", "search cluster"),
    ("SAP integration", "SAP interfaces"),
    ("serverless", "Lambda sprawl"),
    ("React Native", "React Native app"),
    ("Databricks", "Databricks workspace"),
]
# German: (topic after "beim Thema", accusative "unsere …", dative "bei unserer …").
FIELDS_DE = [
    ("Kubernetes", "unsere Kubernetes-Migration", "unserer Kubernetes-Migration"),
    ("Kafka", "unseren Kafka-Cluster", "unserem Kafka-Cluster"),
    ("Cloud-Kosten", "unsere AWS-Rechnung", "unserer AWS-Rechnung"),
    ("Azure", "unsere Azure-Umgebung", "unserer Azure-Umgebung"),
    ("GCP", "unser GCP-Setup", "unserem GCP-Setup"),
    ("Terraform", "unseren Terraform-Code", "unserem Terraform-Code"),
    ("Penetrationstests", "unseren letzten Pentest", "unserem letzten Pentest"),
    ("ISO 27001", "unsere ISO-27001-Zertifizierung", "unserer ISO-27001-Zertifizierung"),
    ("SOC 2", "unsere SOC-2-Vorbereitung", "unserer SOC-2-Vorbereitung"),
    ("IT-Sicherheit", "unsere Sicherheitsarchitektur", "unserer Sicherheitsarchitektur"),
    ("Datenplattformen", "unsere Datenplattform", "unserer Datenplattform"),
    ("dbt und Snowflake", "unser dbt-Projekt", "unserem dbt-Projekt"),
    ("Data Engineering", "unsere Datenpipelines", "unseren Datenpipelines"),
    ("MLOps", "unsere ML-Pipeline", "unserer ML-Pipeline"),
    ("Machine Learning", "unser ML-Team", "unserem ML-Team"),
    ("Mobile", "unsere App", "unserer App"),
    ("Legacy-Modernisierung", "unseren Monolithen", "unserem Monolithen"),
    (".NET", "unsere .NET-Migration", "unserer .NET-Migration"),
    ("Java", "unser Java-Upgrade", "unserem Java-Upgrade"),
    ("Observability", "unser Monitoring", "unserem Monitoring"),
    ("SRE", "unsere Rufbereitschaft", "unserer Rufbereitschaft"),
    ("Plattform-Teams", "unser Plattform-Team", "unserem Plattform-Team"),
    ("Architektur", "unsere Microservices", "unseren Microservices"),
    ("CI/CD", "unsere CI-Pipeline", "unserer CI-Pipeline"),
    ("DSGVO", "unser Datenschutzkonzept", "unserem Datenschutzkonzept"),
    ("Cloud-Migration", "unseren Umzug in die Cloud", "unserem Umzug in die Cloud"),
    ("Teamaufbau", "unser Entwicklungsteam", "unserem Entwicklungsteam"),
    ("IT-Strategie", "unsere IT-Roadmap", "unserer IT-Roadmap"),
]
FIELDS_DE_HELDOUT = [
    ("SAP-Integration", "unsere SAP-Schnittstellen", "unseren SAP-Schnittstellen"),
    ("Serverless", "unsere Lambda-Funktionen", "unseren Lambda-Funktionen"),
    ("Datenbanken", "unsere Postgres-Datenbank", "unserer Postgres-Datenbank"),
]

NAMES = [
    "Anna",
    "Tom",
    "Sarah",
    "Markus",
    "Julia",
    "David",
    "Priya",
    "Jonas",
    "Lena",
    "Mike",
    "Katrin",
    "Sam",
    "Felix",
    "Olga",
    "Ben",
    "Nina",
    "Chris",
    "Stefan",
    "Maria",
    "Raj",
]
ROLES_EN = [
    "head of platform",
    "senior SRE",
    "data engineer",
    "fractional CTO",
    "interim CISO",
    "VP of Engineering",
    "staff engineer",
    "DevOps lead",
    "security lead",
    "ML engineer",
    "engineering manager",
    "solutions architect",
    "head of data",
    "cloud architect",
]
ROLES_DE = [
    "Head of Platform",
    "Senior SRE",
    "Data Engineer",
    "Interim-CTO",
    "Interim-CISO",
    "Teamleiter Entwicklung",
    "DevOps-Engineer",
    "Sicherheitsbeauftragten",
    "Cloud-Architekten",
    "Leiter IT",
    "Fractional CTO",
    "Head of Data",
]
SECTORS_EN = [
    "fintech",
    "logistics company",
    "healthtech startup",
    "SaaS scale-up",
    "insurer",
    "e-commerce business",
    "manufacturing company",
    "B2B marketplace",
    "bank",
    "gaming studio",
    "media company",
    "energy startup",
]
SECTORS_DE = [
    "Versicherungsbranche",
    "Logistik",
    "Medizintechnik",
    "Automobilzulieferung",
    "Energiebranche",
    "Finanzbranche",
    "Handel",
    "öffentlichen Verwaltung",
]
URGENCY_EN = [
    "this quarter",
    "before the end of Q3",
    "in the next few weeks",
    "asap",
    "by March",
    "before our Series B",
    "next month",
    "before our audit in the autumn",
    "within the next 6 weeks",
]
URGENCY_DE = [
    "noch dieses Quartal",
    "bis Ende Q3",
    "in den nächsten Wochen",
    "möglichst bald",
    "bis März",
    "dringend",
    "zeitnah",
    "vor unserem Audit im Herbst",
    "ab nächstem Monat",
]

# --- Building blocks --------------------------------------------------------------------------
OPENERS_EN = [
    "",
    "",
    "",
    "",
    "Great post. ",
    "Hi {name}, ",
    "Hey {name} – ",  # noqa: RUF001 - people type real dashes
    "Really resonates. ",
    "Spot on. ",
    "Thanks for this. ",
    "Interesting. ",
    "Love this. ",
    "Hi! ",
    "Good stuff. ",
    "This. ",
]
OPENERS_EN_HELDOUT = ["Wow. ", "Morning {name}! ", "Refreshing read. ", "{name} — "]
OPENERS_DE = [
    "",
    "",
    "",
    "",
    "Toller Beitrag! ",
    "Hallo {name}, ",
    "Hi {name}, ",
    "Sehr spannend. ",
    "Danke für den Beitrag. ",
    "Guter Punkt. ",
    "Stark. ",
    "Moin! ",
    "Absolut. ",
]
OPENERS_DE_HELDOUT = ["Servus {name}, ", "Sehr lesenswert. ", "Liebe {name}, "]
CONTEXT_EN = [
    "We're a {size}-person {sector}. ",
    "I run engineering at a {sector}. ",
    "Context: {sector}, about {size} engineers. ",
    "I'm CTO at a small {sector}. ",
    "We're a {sector} with {size} people in tech. ",
]
CONTEXT_DE = [
    "Wir sind ein Team von {size} Leuten aus der {sector_de}. ",
    "Ich leite die IT bei einem Mittelständler aus der {sector_de}. ",
    "Kurz zu uns: {size} Entwickler, {sector_de}. ",
    "Wir sind ein Start-up aus der {sector_de} mit {size} Mitarbeitenden. ",
]
URGENCY_SENT_EN = [
    " We need to move {urgency}.",
    " Timeline is tight: {urgency}.",
    " Ideally {urgency}.",
    " Would need to start {urgency}.",
]
URGENCY_SENT_DE = [
    " Wir müssten {urgency} starten.",
    " Zeitlich ist es eng: {urgency}.",
    " Am liebsten {urgency}.",
]
CLOSERS_EN = ["", "", "", " Thanks!", " Cheers", " Thanks in advance.", " 🙏", " Let me know."]
CLOSERS_EN_NEUTRAL = ["", "", "", "", " Cheers", " 👏", " 🙌"]
CLOSERS_EN_HELDOUT = [" Best, M.", " Appreciate it!"]
CLOSERS_DE = ["", "", "", " Danke!", " Viele Grüße", " Beste Grüße", " 🙏", " Danke vorab."]
CLOSERS_DE_NEUTRAL = ["", "", "", "", " Viele Grüße", " 👏", " 🙌"]
CLOSERS_DE_HELDOUT = [" LG", " Herzliche Grüße aus Köln"]

# Intents that ask something of the author and may close with "thanks in advance".
ASKING = {"direct_inquiry", "pricing_question", "hiring_signal", "technical_question", "spam"}
# Intents whose comments often open with a friendly compliment and carry context sentences.
LEAD_LIKE = {"direct_inquiry", "pricing_question", "hiring_signal", "pain_signal", "referral"}

# --- Bodies per intent: (train, heldout) ------------------------------------------------------
EN: dict[str, tuple[list[str], list[str]]] = {
    "direct_inquiry": (
        [
            "Can we talk? We're dealing with exactly this on our {thing}.",
            "Are you taking on new clients at the moment?",
            "Could you take a look at our {thing}?",
            "What would it take to get you to review our {thing}?",
            "Do you do {topic} audits for companies our size?",
            "Would love to get your eyes on our {thing}. Open to a quick call?",
            "Sent you a DM about our {thing} — would be great to chat.",
            "Is this something you help clients with? We're struggling with our {thing}.",
            "We need someone who has done this before for our {thing}. Free for a call next week?",
            "Any chance you have capacity for a {topic} project?",
            "Interested in working together on our {thing}. How do we get started?",
            "Could we book 30 minutes with you to talk through our {thing}?",
            "Do you offer {topic} reviews? Would be keen.",
            "I'd like to bring you in to help with our {thing}.",
            "Can you help us with this? Our {thing} is in exactly this state.",
            "Would you be open to advising us on {topic}?",
            "Let's talk — we're planning our {thing} and could use your help.",
            "How can I reach you about a {topic} engagement?",
            "DM me please, we need help with {topic}.",
            "Are you available for a workshop with our team on {topic}?",
            "Please get in touch, we need support with our {thing}.",
            "Happy to jump on a call if you're open to helping us with our {thing}.",
            "Who do I talk to about getting you in for our {thing}?",
            "Could you do the same exercise for us?",
            "We'd love your help with this. When are you free?",
            "Interested. Can you send me details on how you work with clients?",
            "Is your calendar open for new projects?",
            "Would you consider a short review of our {thing}? We keep going back and forth.",
            "Mind if I message you? We need exactly this for our {thing}.",
            "Just connected — would love to discuss a possible project around {topic}.",
            "This is what we need. How do we book you?",
            "Do you work with teams outside Germany? We'd like help with our {thing}.",
            "can we chat about our {thing}?",
            "Could you look at our setup?",
            "We're looking for outside help on {topic}. Can I send you a message?",
            "Would you take a look at our {thing} if we shared the details?",
            "Are you doing {topic} assessments this year? We'd sign up.",
            "Can you run this kind of review for us?",
            "Let's set up a call. Our {thing} needs exactly this treatment.",
            "Is there a way to work with you on {topic}?",
            "How do we start working with you?",
            "Do you work with public sector clients?",
            "Would you be available to help us with this?",
            "Could you support us with our {thing}?",
            "What's your availability for a project next quarter?",
        ],
        [
            "Hey, quick one: do you still take consulting work? Our {thing} needs a second pair "
            "of eyes.",
            "Looking for someone to sanity-check our {thing} before we commit. Sounds like you "
            "could be the person?",
            "I'd pay good money for someone to untangle our {thing}. Available?",
            "Please ping me, we should talk about our {thing}.",
            "Could your team support us with {topic}?",
            "Would you run something like this for us?",
            "Keen to explore working with you on {topic}. Best way to connect?",
            "Let me know if you have bandwidth — our {thing} could really use you.",
            "Can I grab 20 minutes of your time about our {thing}?",
            "Do you have room for one more client? {topic} is our weak spot.",
            "Would you be up for helping us get our {thing} under control?",
            "Any openings in your schedule? We'd like you on our {thing}.",
        ],
    ),
    "pricing_question": (
        [
            "What's your day rate?",
            "What's your day rate for a {n}-month engagement?",
            "How much would a {topic} review cost for a {sector}?",
            "Do you charge fixed price or hourly for {topic} work?",
            "Ballpark cost for an audit of our {thing}?",
            "What do you charge for something like this?",
            "Roughly what budget should we plan for a {topic} assessment?",
            "Do you have packages for {topic}, or is it all custom pricing?",
            "How are your engagements priced, retainer or per project?",
            "Is the {topic} audit a fixed fee? What's included?",
            "Can you share your rates for fractional CTO work?",
            "What would a 2-day workshop on {topic} cost?",
            "How much for a one-off review of our {thing}?",
            "Do you offer a cheaper option for startups? Our budget for {topic} is limited.",
            "What's the typical investment for this kind of {topic} project?",
            "Hourly rate?",
            "Rates for a monthly retainer?",
            "Could you send me your pricing for {topic} consulting?",
            "What would it cost to have you look at our {thing}?",
            "How much does a {topic} health check cost with you?",
            "What's your rate for {n} days a month?",
            "Do you publish your prices anywhere?",
            "Is there a minimum engagement size? We have a small budget for our {thing}.",
            "What's a realistic budget for getting our {thing} sorted?",
            "Are your rates per day or per project?",
            "How much is a fractional CTO these days, roughly?",
            "Would a budget of {n}0k be enough for a {topic} project like this?",
            "What do you usually quote for a {topic} audit?",
            "How expensive is something like this?",
            "What does this cost for a company like ours?",
            "What would you charge a company our size?",
            "Is this affordable for a startup?",
        ],
        [
            "Curious what something like this costs for a team of {n}0 engineers?",
            "Is there a price list somewhere for your {topic} services?",
            "Ok, how expensive is this for a company our size?",
            "What kind of fee are we talking for a {topic} health check?",
            "Would {n}k cover a first {topic} assessment, or is that way off?",
            "Do you quote per day or per deliverable?",
            "What does an engagement like that set a client back?",
            "Day rate or fixed fee for a {thing} review?",
            "Roughly how much are we talking?",
            "Would you share a price indication?",
        ],
    ),
    "hiring_signal": (
        [
            "We're hiring a {role}. Would you consider a fractional role?",
            "We've been trying to hire a {role} for months. Would you do this on an interim basis?",
            "Looking for an interim {role} for {n} months, any interest?",
            "We need a {role} to build out our {topic} work. Open to a contract?",
            "Our {role} just left and we need someone to cover.",
            "Would you be open to joining us as a part-time {role}?",
            "We're building a platform team from scratch and need someone to lead it. Interested?",
            "We are looking for a fractional CTO two days a week.",
            "Do you also take interim leadership roles? We need a {role}.",
            "Could you help us hire our first {role}? We don't know what to look for.",
            "We need help building our {topic} team: hiring plan, interviews, the lot.",
            "We have an open {role} position and nobody good applies. Fancy a contract?",
            "Our company is searching for a {role} for {topic}, freelance is fine.",
            "We need an experienced {role} for about {n} months. Would that be something for you?",
            "Would you consider an interim {role} mandate with us?",
            "We're scaling from {n} to {n}0 engineers and need someone to run hiring.",
            "We want to bring in a {role} on a contract basis. Are you available?",
            "Need a {role} for our {thing}, remote is fine.",
            "Our board asked us to find an interim {role}. Would you be open to it?",
            "Can you help us set up our first {topic} team? We have budget for two hires.",
            "We're opening a {role} role, part-time, and your profile fits perfectly.",
            "We need to build a {topic} team quickly. Would you lead it for a few months?",
            "Could you step in as our interim {role} until we find someone permanent?",
            "We're recruiting a {role} and nothing works. Could you cover the role for a quarter?",
        ],
        [
            "Still no {role} after six months of interviews. Would you step in for a while?",
            "Is a part-time {role} gig something you'd consider? We're a {sector}.",
            "We need to staff a {topic} team fast. Could you lead it for a quarter?",
            "Our search for a {role} is going nowhere; an interim solution would save us.",
            "Would you be our {role} for the next two quarters?",
            "Our {role} search has stalled; would you fill the gap for a while?",
        ],
    ),
    "pain_signal": (
        [
            "This is exactly where we are. Our {thing} is a mess.",
            "We're living this right now with our {thing}.",
            "Our AWS bill doubled this year and nobody can explain why.",
            "Ugh, this hits home. Our {thing} has been on fire for weeks.",
            "We have the same problem and no one in-house who knows {topic}.",
            "Our {topic} audit is in {n} weeks and we're nowhere near ready.",
            "Been struggling with this for months at our {sector}.",
            "If only our team had read this a year ago. Our {thing} is now a big ball of mud.",
            "Consumer lag every Monday morning, exactly like this. Still no fix.",
            "We keep postponing our {thing} because nobody owns it.",
            "Honestly our {thing} keeps me up at night.",
            "Same here. Our {thing} costs us a fortune and we can't figure out where to start.",
            "This describes our last three incidents perfectly.",
            "We tried to do {topic} ourselves and it went badly.",
            "Our deploys take two hours and break every other week. Sigh.",
            "We're stuck halfway through our {thing} and the team is exhausted.",
            "Our {thing} is held together with duct tape and hope.",
            "Three outages this month alone. Our {thing} is not where it should be.",
            "We failed our last pentest on exactly these points.",
            "No one on our team understands our {thing} anymore since the architect left.",
            "Our cloud costs are growing faster than revenue. Painful.",
            "The part about {topic} debt is us. Every sprint gets eaten by firefighting.",
            "We are drowning in alerts from our {thing}.",
            "Our developers spend more time waiting for CI than writing code.",
            "We're in exactly that situation with our {thing}, and it's getting worse.",
            "Painful to read because it's us.",
            "We've wasted a year on our {thing}.",
            "Our {thing} broke again this morning.",
            "This is our daily reality with the {thing}.",
            "We've sunk months into our {thing} and it still doesn't work.",
        ],
        [
            "Reading this while our {thing} is down again. Fun times.",
            "Painfully accurate. We're two years into a {topic} project that should have taken "
            "six months.",
            "Our board keeps asking about {topic} and I have no good answer.",
            "Saving this. Our {thing} is in exactly that state and I'm out of ideas.",
            "Feels like you've been sitting in our retros. The {thing} is our biggest headache.",
            "We've burned two quarters on our {thing} with nothing to show for it.",
            "Can confirm, our {thing} looks exactly like the 'before' picture.",
        ],
    ),
    "referral": (
        [
            "My CTO should read this. Can I intro you?",
            "Tagging {name}, who was just asking me about {topic} help.",
            "A friend's startup needs exactly this. Mind if I connect you?",
            "{name}, this is the person I mentioned for your {thing}.",
            "I know a company struggling with {topic}. Happy to make an intro.",
            "Forwarded to my old boss who is fighting with their {thing}.",
            "Can I introduce you to our head of platform? They'd love to talk {topic}.",
            "@{name} you should talk to this person about your {thing}.",
            "I'll pass your name on to a client who needs a {topic} expert.",
            "Shared with a founder in my network who asked me for a {topic} consultant last week.",
            "{name} was looking for exactly this kind of help. Connecting you two.",
            "Our portfolio companies need this. Can I put you in touch with a few CTOs?",
            "Let me connect you with my former colleague, they need help with their {thing}.",
            "I've sent this to our CEO, she's been looking for someone for {topic}.",
            "Would you be open to an intro to a friend who runs a {sector}? They need this.",
            "Tagging {name} and {name2}: this is who you need for the {thing}.",
            "Happy to introduce you to the team at a {sector} I advise, they're looking for "
            "{topic} help.",
            "Someone in my network needs exactly this. OK if I share your contact?",
            "Sharing this with our CTO, worth a chat I think.",
            "I'll put you in touch with a friend who needs this.",
            "{name}, you were asking about {topic} help, right?",
            "Forwarding to a founder I mentor, expect a message.",
        ],
        [
            "Just recommended you to a portfolio company, expect a message.",
            "Cc {name}: you were looking for someone like this for {topic}, right?",
            "Know two CTOs who need to see this. OK if I put you in touch?",
            "Passing this on to a friend at a {sector}. You two should talk.",
            "Looping in {name}, who's been hunting for a {topic} person.",
        ],
    ),
    "technical_question": (
        [
            "How would you handle consumer lag here?",
            "Does this approach work with {topic} on GCP too?",
            "What tool do you use for {topic}?",
            "Would you use Karpenter or cluster autoscaler for this?",
            "How do you deal with state drift in Terraform?",
            "What about multi-region? Does this still hold?",
            "Curious how you'd measure this. Which metrics?",
            "How would you structure the {thing} for a team of {n}0?",
            "Isn't that overkill for a small team? How do you decide?",
            "Any recommended reading on {topic}?",
            "How do you handle secrets in this setup?",
            "What would you do differently for {topic} in a regulated environment?",
            "Do you run dbt tests in CI for every PR or only nightly?",
            "How did you get buy-in from the developers for {topic}?",
            "Which partitioning strategy would you pick for this?",
            "Do you put the service mesh in from day one or later?",
            "How do you keep {topic} costs visible per team?",
            "Would this work with a monorepo?",
            "What's your take on managed Kafka vs running it yourself?",
            "How do you version the data contracts?",
            "Did you measure the latency impact?",
            "Where do you draw the line between platform and product teams?",
            "How would you approach {topic} for a team that has never done it?",
            "Which SLOs would you start with?",
            "How do you handle schema migrations with zero downtime?",
            "Is Terraform Cloud worth it compared to Atlantis?",
            "What would it take to migrate this to ARM instances?",
            "Any tips for getting started with {topic}?",
            "Does the same apply to {topic}?",
            "What's the rollback plan if this fails?",
            "How does this scale beyond a single region?",
            "Would you still do it this way today?",
            "Where would you start with {topic}?",
            "Is there a point where {topic} is not worth it?",
            "How do you handle this for batch workloads?",
            "What's your view on doing this in-house vs a managed service?",
        ],
        [
            "Genuine question: where does {topic} stop paying off?",
            "Would this pattern survive a 10x traffic spike?",
            "How do you test {topic} changes before they hit prod?",
            "Does the same logic apply to batch jobs?",
            "What's your rollback story with this approach?",
            "Which part of the {thing} would you tackle first?",
            "Do you think the same holds for event-driven systems?",
            "Any gotchas when doing this with {topic}?",
        ],
    ),
    "praise": (
        [
            "Great post!",
            "Great breakdown of day rates.",
            "Spot on.",
            "Thanks for sharing!",
            "This is gold.",
            "Couldn't agree more.",
            "Love this.",
            "Brilliant write-up on {topic}.",
            "So true about {topic}.",
            "Saving this one.",
            "Really clear explanation of {topic}, thanks.",
            "Needed to read this today.",
            "Your posts on {topic} are always worth reading.",
            "Love how transparent you are about pricing.",
            "Great points on hiring senior engineers.",
            "100% this.",
            "Well said!",
            "Fantastic thread.",
            "Every CTO should read this.",
            "Excellent summary of {topic} pitfalls.",
            "Best explanation of {topic} I've seen.",
            "Bookmarking this for our next planning.",
            "What a great breakdown of consulting fees.",
            "Very helpful, thank you!",
            "Insightful as always.",
            "Such a useful checklist for {topic}.",
            "Love the honesty about rates and retainers.",
            "Great reminder that {topic} is a people problem.",
            "Strong post. The part on budgets is spot on.",
            "Amazing content as always!",
            "Bang on.",
            "Exactly right.",
            "Excellent read.",
            "Superb, thank you.",
            "Great insights, thanks for posting.",
            "Passing this along to my team, great stuff.",
            "Top notch.",
            "Couldn't have said it better myself.",
            "Such a good point about {topic}.",
            "Brilliant. 👏",
            "Kudos, very well put.",
            "Loved the bit about {topic}.",
            "Great read!",
            "Clear and practical, thanks.",
            "This deserves more reach.",
            "Fantastic advice on pricing.",
        ],
        [
            "Chef's kiss 👌",
            "Nailed it on {topic}.",
            "Clear, practical, no fluff. More of this please.",
            "Sharing with my team, thanks!",
            "Pure gold on rates and retainers.",
            "Finally someone says it about {topic}.",
            "Top post, thank you.",
            "Hard agree on {topic}.",
            "Bravo, this is excellent.",
            "What a post. Thanks.",
        ],
    ),
    "spam": (
        [
            "I can help you grow your followers, DM me.",
            "Follow me for daily AI tips 🚀",
            "Check my profile for a free crypto course.",
            "We build websites and apps at $15/hour, let's connect!",
            "I'm a recruiter with 30+ open {role} roles. Send me your CV.",
            "Want 10x more engagement? Our LinkedIn automation tool does it for you.",
            "Nice post! Our agency provides offshore {topic} developers at very competitive rates.",
            "Earn $5000 a week from home, link in bio.",
            "Hi, I offer SEO services. Interested?",
            "Are you open to new opportunities? I have an exciting {role} position with a top "
            "client.",
            "Great content! I help consultants get 20 booked calls a month. DM me 'CALLS'.",
            "Looking for a {topic} partner? We have 200+ certified engineers, book a demo.",
            "Comment 'AI' and I'll send you my free guide.",
            "Let's connect and grow together 🤝",
            "I'd love to introduce you to our lead generation agency.",
            "We are hiring {role}s! Apply via the link in my profile.",
            "Need more clients? I can get you 50 qualified leads a week.",
            "Invest with me and double your money in 30 days 💰",
            "Hello dear, please accept my connection request.",
            "Our outsourcing company can take over your {topic} projects at half the cost.",
            "Hey, I run a ghostwriting service for tech founders. Want to see samples?",
            "I'll design your logo and banner for free this week, just DM me.",
            "Recruiter here: 5 remote {role} jobs, top salaries, message me now!",
            "Boost your LinkedIn reach with our AI comment bot. Free trial!",
            "Want me to send you a quick video on how to get more clients?",
            "I help consultants book more calls on autopilot. Open to a quick chat?",
            "We're hiring {role}s (m/f/d) for our client, top salary! Apply via DM.",
        ],
        [
            "Get verified leads for your consultancy: 500 contacts for $99.",
            "Struggling to get clients? My coaching program fixes that, link in my profile.",
            "Hiring remote {role}s! Apply now via my profile 👉",
            "Boost your profile with our done-for-you content service.",
            "I help B2B founders hit 6 figures on LinkedIn. Want my playbook?",
            "We provide dedicated {topic} teams from $18/hr. Let's talk!",
        ],
    ),
    "other": (
        [
            "We should grab coffee sometime.",
            "Congrats on the new role!",
            "Interesting take, though I'd disagree on {topic}.",
            "We solved this years ago with a simple cron job, works fine.",
            "Not sure I agree, microservices aren't always the answer.",
            "See you at KubeCon!",
            "Haha, the diagram says it all.",
            "This reminds me of my first job.",
            "Depends on the team, as always.",
            "Had the same thing at my last company; we fixed it by hiring a proper SRE.",
            "Hot take: most teams don't need {topic}.",
            "Long time no see! Hope you're well.",
            "Happy Friday everyone.",
            "I'm going to try this on my side project.",
            "Counterpoint: {topic} is overrated for startups.",
            "Was at your talk last week, nice to connect here.",
            "Reposting for my network.",
            "Thanks for the connection request.",
            "In my experience it's always DNS.",
            "We went through this in 2019. It took a year but we got there.",
            "The real problem is usually management, not {topic}.",
            "Agree with half of it.",
            "Our team did the same, results were mixed.",
            "Who made the illustration? Looks great.",
            "Coffee next time you're in Berlin?",
            "lol, been there",
            "Same old debate every year.",
            "Can't believe it's been five years since we worked together!",
            "Meh, not convinced.",
            "I see it differently, but fair enough.",
            "Good luck with the launch!",
            "Happy to see you back on here.",
            "Let's catch up soon!",
            "Ha, we had the exact same debate last week and went the other way.",
            "Interesting. We did it differently and it was fine.",
            "Wasn't that the plan in 2015 too?",
            "Nice to see you at the meetup yesterday.",
            "Congrats on 5 years!",
            "Enjoy the holiday!",
            "I'll bring this up at our next offsite, curious what the team thinks.",
            "We tried this once, the jury is still out.",
        ],
        [
            "Funny, we went the opposite way and it worked out.",
            "Old but gold, we did this at my previous employer.",
            "Good luck with the new venture!",
            "Meh, I've seen this pattern fail more often than not.",
            "Nice to see you posting again.",
            "Let's catch up at the meetup next month.",
            "Ha, my manager would disagree.",
            "Safe travels to the conference!",
        ],
    ),
}

DE: dict[str, tuple[list[str], list[str]]] = {
    "direct_inquiry": (
        [
            "Wir suchen gerade jemanden für {acc}. Hätten Sie nächste Woche Zeit für ein kurzes "
            "Gespräch?",
            "Können wir uns dazu mal austauschen? Bei {dat} stehen wir genau vor diesem Problem.",
            "Nehmen Sie aktuell neue Kunden an?",
            "Könnten Sie sich {acc} einmal anschauen?",
            "Machen Sie auch Audits zum Thema {topic} für Unternehmen unserer Größe?",
            "Hast du Kapazität für ein Projekt rund um {topic}?",
            "Ich schreibe Ihnen eine Nachricht, wir bräuchten Unterstützung bei {dat}.",
            "Wäre das etwas, wobei Sie uns helfen könnten?",
            "Wir bräuchten genau so jemanden für {acc}. Wie erreiche ich Sie am besten?",
            "Lass uns gerne mal telefonieren, wir kommen bei {dat} nicht weiter.",
            "Bieten Sie so einen Review auch für {topic} an?",
            "Hätten Sie Interesse, uns beim Thema {topic} zu beraten?",
            "Können Sie uns bei {dat} unterstützen?",
            "Würden Sie sich {acc} mal ansehen? Wir drehen uns im Kreis.",
            "Was bräuchte es, damit Sie uns bei {dat} helfen?",
            "Ich melde mich per DM, wir brauchen Hilfe beim Thema {topic}.",
            "Sind Sie für einen Workshop mit unserem Team buchbar?",
            "Genau das brauchen wir. Wie kommen wir zusammen?",
            "Können wir einen Termin vereinbaren? Es geht um {acc}.",
            "Hättest du Lust, dir {acc} anzuschauen?",
            "Wir würden gerne mit Ihnen zusammenarbeiten. Wann passt es Ihnen?",
            "Schreib mir gerne, wir suchen Unterstützung bei {topic}.",
            "Wie sieht Ihre Verfügbarkeit im nächsten Quartal aus?",
            "Arbeiten Sie auch mit öffentlichen Auftraggebern?",
            "Wie können wir zusammenarbeiten?",
            "Hätten Sie Zeit, uns bei {dat} zu unterstützen?",
        ],
        [
            "Kurze Frage: Beraten Sie noch? {acc} bräuchte dringend einen zweiten Blick.",
            "Wäre ein kurzer Call drin? Es geht um {acc}.",
            "Ich würde Sie gerne für {acc} ins Boot holen. Wie sieht Ihre Verfügbarkeit aus?",
            "Hätten Sie einen Slot frei, um über {acc} zu sprechen?",
            "Meld dich gern, wir brauchen genau das bei {dat}.",
        ],
    ),
    "pricing_question": (
        [
            "Was ist Ihr Tagessatz?",
            "Was kostet so ein Audit für {topic} ungefähr?",
            "Arbeiten Sie mit Festpreis oder nach Aufwand?",
            "Mit welchem Budget müssten wir für {acc} rechnen?",
            "Wie hoch ist dein Stundensatz?",
            "Was würde ein zweitägiger Workshop zu {topic} kosten?",
            "Gibt es Pakete oder wird alles individuell kalkuliert?",
            "Was kostet ein Review für {acc}?",
            "Wie rechnen Sie ab, pro Tag oder pro Projekt?",
            "Was verlangt ein Fractional CTO bei Ihnen im Monat?",
            "Wie teuer wäre eine Begleitung über {n} Monate?",
            "Gibt es eine günstigere Variante für Start-ups?",
            "Tagessatz?",
            "Was kostet ein Retainer bei Ihnen?",
            "Können Sie mir Ihre Konditionen für {topic}-Beratung schicken?",
            "Reichen {n}0.000 Euro für so ein Projekt?",
            "Welche Kosten kommen für eine Bestandsaufnahme bei {dat} auf uns zu?",
            "Was kostet so etwas für ein Unternehmen unserer Größe?",
            "Wie teuer ist so etwas ungefähr?",
            "Was wäre Ihr Honorar für so ein Projekt?",
        ],
        [
            "In welcher Preisklasse bewegt sich so eine Beratung?",
            "Was müsste man für so einen Health-Check einplanen?",
            "Grob geschätzt, was kostet uns das bei {n}0 Entwicklern?",
            "Gibt es irgendwo eine Preisliste für Ihre Leistungen?",
            "Pauschale oder Tagessatz für ein {topic}-Review?",
        ],
    ),
    "hiring_signal": (
        [
            "Wir suchen einen {role} als Interimslösung. Wäre das etwas für Sie?",
            "Wir versuchen seit Monaten, einen {role} einzustellen. Hätten Sie Interesse an einem "
            "Mandat?",
            "Unser {role} hat gekündigt und wir brauchen schnell Ersatz.",
            "Wären Sie offen für eine Teilzeit-Rolle als {role} bei uns?",
            "Wir bauen ein Plattform-Team auf und suchen jemanden, der es leitet.",
            "Wir suchen einen Interim-CTO für zwei Tage pro Woche.",
            "Könnten Sie uns helfen, unseren ersten {role} einzustellen?",
            "Wir brauchen einen erfahrenen {role} für etwa {n} Monate. Freiberuflich ginge auch.",
            "Übernehmen Sie auch Interim-Mandate? Wir brauchen einen {role}.",
            "Wir wachsen von {n} auf {n}0 Entwickler und brauchen jemanden für das Recruiting.",
            "Die Stelle als {role} ist bei uns seit einem halben Jahr offen. Interesse an einem "
            "Vertrag auf Zeit?",
            "Wir möchten einen {role} auf Projektbasis holen. Wären Sie verfügbar?",
            "Wir müssen schnell ein Team für {topic} aufbauen. Könnten Sie das leiten?",
            "Könnten Sie als Interim-{role} einspringen, bis wir jemanden finden?",
            "Unser Leiter IT geht in Rente und wir brauchen eine Übergangslösung.",
        ],
        [
            "Unsere Suche nach einem {role} läuft ins Leere. Könnten Sie übergangsweise "
            "einspringen?",
            "Hätten Sie Lust, für zwei Quartale unser {role} zu sein?",
            "Wir müssen schnell ein Team für {topic} aufstellen. Würden Sie das leiten?",
        ],
    ),
    "pain_signal": (
        [
            "Genau da stehen wir gerade. {acc} ist eine einzige Baustelle.",
            "Das erleben wir gerade live bei {dat}.",
            "Unsere AWS-Rechnung hat sich dieses Jahr verdoppelt und keiner weiß warum.",
            "Trifft voll ins Schwarze. Bei {dat} brennt es seit Wochen.",
            "Wir haben das gleiche Problem und niemanden im Haus, der sich mit {topic} auskennt.",
            "Unser Audit ist in {n} Wochen und wir sind noch lange nicht so weit.",
            "Wir schieben {acc} seit Monaten vor uns her, weil sich niemand zuständig fühlt.",
            "Ehrlich gesagt raubt mir {acc} den Schlaf.",
            "Drei Ausfälle allein diesen Monat. So kann es nicht weitergehen.",
            "Wir haben versucht, {topic} selbst zu machen, und sind gescheitert.",
            "Seit unser Architekt weg ist, versteht keiner mehr {acc}.",
            "Unsere Cloud-Kosten wachsen schneller als der Umsatz. Tut weh.",
            "Wir ertrinken in Alerts und keiner weiß, welche wichtig sind.",
            "Unsere Deployments dauern Stunden und gehen ständig schief.",
            "Das beschreibt unsere letzten drei Incidents ziemlich genau.",
            "Bei uns sieht es genau so aus, leider.",
            "Wir haben ein Jahr in {acc} versenkt.",
            "Tut weh, das zu lesen, weil es genau uns beschreibt.",
            "Heute morgen ist {acc} schon wieder ausgefallen.",
        ],
        [
            "Lese das, während {acc} mal wieder streikt. Herrlich.",
            "Wir hängen seit zwei Jahren in einem {topic}-Projekt fest, das sechs Monate dauern "
            "sollte.",
            "Unser Vorstand fragt ständig nach {topic} und ich habe keine gute Antwort.",
            "Schmerzhaft zutreffend. Bei {dat} sieht es genau so aus.",
        ],
    ),
    "referral": (
        [
            "Das sollte unser CTO lesen. Darf ich Sie vorstellen?",
            "@{name}, das ist die Person, von der ich dir erzählt habe.",
            "Ein Bekannter sucht genau so jemanden. Darf ich den Kontakt herstellen?",
            "Ich kenne ein Unternehmen, das mit {topic} kämpft. Gerne stelle ich den Kontakt her.",
            "Habe das an unsere Geschäftsführerin weitergeleitet, sie sucht jemanden für {topic}.",
            "{name}, das wäre doch was für euer Projekt rund um {topic}.",
            "Darf ich Ihnen einen Kontakt aus meinem Netzwerk vorstellen? Die brauchen genau das.",
            "Ich verbinde euch mal, {name} sucht gerade Hilfe bei {topic}.",
            "Weitergeleitet an einen Freund, der ein Start-up aus der {sector_de} leitet.",
            "Ich gebe Ihren Namen gerne an einen Kunden weiter, der Unterstützung bei {topic} "
            "braucht.",
            "{name}, du hattest doch nach Hilfe für {topic} gefragt?",
            "Leite ich an unseren CTO weiter, lohnt sich bestimmt ein Gespräch.",
            "Ich stelle gerne den Kontakt zu einer Bekannten her, die das braucht.",
        ],
        [
            "Habe Sie gerade einem Portfolio-Unternehmen empfohlen, die melden sich.",
            "{name}, du hattest doch nach jemandem für {topic} gefragt, oder?",
            "Kenne zwei CTOs, die das lesen sollten. Darf ich Sie vernetzen?",
        ],
    ),
    "technical_question": (
        [
            "Wie würden Sie hier mit dem Consumer-Lag umgehen?",
            "Funktioniert der Ansatz auch mit {topic} in der Azure-Cloud?",
            "Welches Tool nutzt du für {topic}?",
            "Karpenter oder Cluster Autoscaler, was würdest du nehmen?",
            "Wie gehst du mit State-Drift in Terraform um?",
            "Und wie sieht das bei Multi-Region aus?",
            "Welche Metriken würden Sie dafür heranziehen?",
            "Ist das für ein kleines Team nicht übertrieben?",
            "Gibt es Literatur zu {topic}, die du empfehlen kannst?",
            "Wie handhabt ihr Secrets in diesem Setup?",
            "Was würden Sie bei {topic} in einem regulierten Umfeld anders machen?",
            "Wie habt ihr die Entwickler für {topic} gewonnen?",
            "Wie macht ihr Schema-Migrationen ohne Downtime?",
            "Welche SLOs würdet ihr als Erstes definieren?",
            "Wie versioniert ihr die Datenverträge?",
            "Lohnt sich Managed Kafka oder lieber selbst betreiben?",
            "Gilt das auch für {topic}?",
            "Wie sieht da der Rollback aus?",
            "Würdest du das heute noch genauso machen?",
            "Wo würdest du bei {topic} anfangen?",
            "Wie skaliert das über eine Region hinaus?",
            "Lohnt sich das auch bei Batch-Jobs?",
            "Selbst betreiben oder Managed Service, was meinst du?",
        ],
        [
            "Ernst gemeinte Frage: Ab wann lohnt sich {topic} nicht mehr?",
            "Hält das Muster auch einen zehnfachen Lastspitzen-Tag aus?",
            "Wie testet ihr Änderungen an {topic}, bevor sie live gehen?",
            "Was ist euer Rollback-Plan bei diesem Ansatz?",
            "Welche Stolperfallen gibt es bei {topic}?",
        ],
    ),
    "praise": (
        [
            "Toller Beitrag!",
            "Super Aufschlüsselung der Tagessätze.",
            "Absolut treffend.",
            "Danke fürs Teilen!",
            "Sehr gut auf den Punkt gebracht.",
            "Dem kann ich nur zustimmen.",
            "Klasse Zusammenfassung zu {topic}.",
            "Sehr hilfreich, danke!",
            "Das sollte jeder CTO lesen.",
            "Deine Beiträge zu {topic} sind immer lesenswert.",
            "Schön, wie offen du über Preise sprichst.",
            "Starke Punkte zum Thema Recruiting.",
            "Genau so ist es!",
            "Gespeichert, danke!",
            "Wie immer sehr fundiert.",
            "Beste Erklärung zu {topic}, die ich bisher gelesen habe.",
            "Großartig geschrieben.",
            "Danke, das musste mal gesagt werden.",
            "Chapeau, sehr gut geschrieben.",
            "Top!",
            "Sehr treffend formuliert.",
            "Endlich sagt es mal jemand.",
            "Teile ich mit meinem Team, sehr hilfreich.",
            "Klasse Beitrag, danke!",
            "Sehr wertvoll, danke fürs Teilen.",
            "Volle Zustimmung, großartig.",
            "Ganz stark zum Thema {topic}.",
            "Sehr gute Übersicht zu Tagessätzen.",
        ],
        [
            "Chapeau! 👏",
            "Sauber auf den Punkt, mehr davon bitte.",
            "Teile ich gleich mit meinem Team, danke!",
            "Herrlich ehrlich zum Thema Honorare.",
            "Wieder mal ein Volltreffer.",
            "Besser kann man es nicht sagen.",
        ],
    ),
    "spam": (
        [
            "Ich helfe dir, mehr Follower zu gewinnen. Schreib mir!",
            "Folge mir für tägliche KI-Tipps 🚀",
            "Wir entwickeln Webseiten und Apps ab 15 € pro Stunde. Lass uns vernetzen!",
            "Ich bin Recruiter und habe über 30 offene Stellen als {role}. Schick mir deinen "
            "Lebenslauf.",
            "Mehr Reichweite auf LinkedIn? Unser Automatisierungstool erledigt das für dich.",
            "Schöner Beitrag! Unsere Agentur bietet Offshore-Entwickler zu Top-Preisen.",
            "Verdiene 5.000 € pro Woche von zu Hause, Link in meinem Profil.",
            "Sind Sie offen für neue Herausforderungen? Ich hätte eine spannende Position als "
            "{role}.",
            "Kommentiere 'KI' und ich schicke dir meinen kostenlosen Guide.",
            "Lass uns vernetzen und gemeinsam wachsen 🤝",
            "Brauchen Sie mehr Kunden? Wir liefern 50 qualifizierte Leads pro Woche.",
            "Unser Team übernimmt Ihre {topic}-Projekte zum halben Preis.",
            "Ich helfe Beratern, Termine automatisch zu buchen. Darf ich dir ein Video schicken?",
            "Für unseren Kunden suchen wir {role} (m/w/d), Top-Gehalt! Bewerbung per PN.",
        ],
        [
            "Geprüfte Leads für Ihre Beratung: 500 Kontakte für 99 €.",
            "Keine Kunden? Mein Coaching-Programm ändert das, Link im Profil.",
            "Wir stellen remote {role} ein! Jetzt über mein Profil bewerben 👉",
            "Ghostwriting für Gründer, Probetext gratis. Einfach DM!",
        ],
    ),
    "other": (
        [
            "Wir sollten mal einen Kaffee trinken gehen.",
            "Herzlichen Glückwunsch zur neuen Rolle!",
            "Spannende These, aber bei {topic} sehe ich das anders.",
            "Wir haben das vor Jahren mit einem simplen Cronjob gelöst.",
            "Microservices sind nicht immer die Antwort, finde ich.",
            "Sehen wir uns auf der re:Invent?",
            "Haha, das Diagramm sagt alles.",
            "Erinnert mich an meinen ersten Job.",
            "Kommt auf das Team an, wie immer.",
            "Steile These: Die meisten Teams brauchen kein {topic}.",
            "Lange nicht gesehen! Hoffe, dir geht's gut.",
            "Schönes Wochenende euch allen.",
            "Bei uns war es am Ende doch DNS.",
            "Wir haben das 2019 durchgezogen, hat ein Jahr gedauert.",
            "Das eigentliche Problem ist meist das Management, nicht {topic}.",
            "Stimme zur Hälfte zu.",
            "Sehe ich anders, aber spannend.",
            "Viel Erfolg beim Launch!",
            "Schön, von dir zu lesen.",
            "Lass uns bald mal wieder quatschen.",
            "Naja, nicht ganz überzeugt.",
            "Wir haben es anders gemacht, lief auch.",
            "Bis bald auf dem Meetup!",
            "Glückwunsch zum Jubiläum!",
            "Wir sind damals den anderen Weg gegangen.",
        ],
        [
            "Lustig, wir sind den umgekehrten Weg gegangen und es hat funktioniert.",
            "Viel Erfolg mit dem neuen Vorhaben!",
            "Naja, ich habe das Muster öfter scheitern sehen als gelingen.",
            "Schön, dass du wieder postest.",
            "Gute Reise zur Konferenz!",
        ],
    ),
}

EMOJI = ["🙂", "🚀", "👍", "🔥", "😅", "🙌", "💯", "👀", "😬", "🤝"]
NO_OPENER = {"praise", "spam", "other"}  # these keep their own voice; no compliment opener


def fill(template: str, rng: random.Random, lang: str, heldout: bool) -> str:
    if lang == "en":
        fields = FIELDS_EN + (FIELDS_EN_HELDOUT if heldout else [])
        topic, thing = rng.choice(fields)
        values = {
            "topic": topic,
            "thing": thing,
            "role": rng.choice(ROLES_EN),
            "sector": rng.choice(SECTORS_EN),
        }
    else:
        fields = FIELDS_DE + (FIELDS_DE_HELDOUT if heldout else [])
        topic, acc, dat = rng.choice(fields)
        values = {
            "topic": topic,
            "acc": acc,
            "dat": dat,
            "role": rng.choice(ROLES_DE),
            "sector_de": rng.choice(SECTORS_DE),
        }
    name, name2 = rng.sample(NAMES, 2)
    values |= {
        "name": name,
        "name2": name2,
        "n": str(rng.choice([2, 3, 4, 6, 8])),
        "size": str(rng.choice([12, 25, 40, 60, 80, 150, 300])),
    }
    text = template.format(**values)
    # A sentence may start with a slot ("{acc} ist …"): capitalise it.
    return re.sub(r"(^|[.!?] )(unser)", lambda m: m.group(1) + "Unser", text)


def compose(intent: str, lang: str, rng: random.Random, heldout: bool) -> str:
    bodies = (EN if lang == "en" else DE)[intent][1 if heldout else 0]
    body = fill(rng.choice(bodies), rng, lang, heldout)
    if lang == "en":
        openers = OPENERS_EN + (OPENERS_EN_HELDOUT if heldout else [])
        closers = CLOSERS_EN if intent in ASKING else CLOSERS_EN_NEUTRAL
        closers = closers + (CLOSERS_EN_HELDOUT if heldout else [])
        contexts, urgencies = CONTEXT_EN, URGENCY_SENT_EN
    else:
        openers = OPENERS_DE + (OPENERS_DE_HELDOUT if heldout else [])
        closers = CLOSERS_DE if intent in ASKING else CLOSERS_DE_NEUTRAL
        closers = closers + (CLOSERS_DE_HELDOUT if heldout else [])
        contexts, urgencies = CONTEXT_DE, URGENCY_SENT_DE
    parts = []
    if intent not in NO_OPENER or rng.random() < 0.15:
        opener = fill(rng.choice(openers), rng, lang, heldout)
        if opener.endswith(", ") and body[:1].isupper() and not body.startswith(("I ", "I'")):
            body = body[0].lower() + body[1:] if lang == "en" else body
        parts.append(opener)
    if intent in LEAD_LIKE and rng.random() < 0.25:
        parts.append(fill(rng.choice(contexts), rng, lang, heldout))
    parts.append(body)
    if intent in {"direct_inquiry", "pricing_question", "hiring_signal"} and rng.random() < 0.3:
        sentence = rng.choice(urgencies)
        urgency = rng.choice(URGENCY_EN if lang == "en" else URGENCY_DE)
        parts.append(sentence.format(urgency=urgency))
    parts.append(fill(rng.choice(closers), rng, lang, heldout))
    return noisy("".join(parts).strip(), lang, rng)


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.4:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:  # drop one
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double one


def noisy(text: str, lang: str, rng: random.Random) -> str:
    if rng.random() < 0.15:
        words = text.split(" ")
        candidates = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
        if candidates:
            i = rng.choice(candidates)
            words[i] = typo(words[i], rng)
            text = " ".join(words)
    if rng.random() < (0.2 if lang == "en" else 0.1):
        text = text.lower()
    if rng.random() < 0.2:
        text = text.rstrip(".!")
    if lang == "en" and rng.random() < 0.06:
        text = re.sub(r"\byou\b", "u", re.sub(r"\byour\b", "ur", text))
    if rng.random() < 0.1:
        text = text.replace("?", "??") if rng.random() < 0.5 else text.replace("!", "!!")
    if rng.random() < 0.12:
        text += " " + rng.choice(EMOJI)
    return re.sub(r"\s+", " ", text).strip()


def key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def read_handwritten() -> list[dict[str, str]]:
    with HANDWRITTEN.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def build() -> list[dict[str, str]]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    handwritten = read_handwritten()
    seen = {key(row["text"]) for row in handwritten}
    rows: list[dict[str, str]] = []
    for intent, total in TARGETS.items():
        hand = [r for r in handwritten if r["intent"] == intent]
        hand_heldout = sum(r["split"] == "heldout" for r in hand)
        templated = total - len(hand)
        n_heldout = max(0, round(total * HELDOUT_SHARE) - hand_heldout)
        for split, count in (("train", templated - n_heldout), ("heldout", n_heldout)):
            n_de = round(count * GERMAN_SHARE)
            for lang, n in (("de", n_de), ("en", count - n_de)):
                made, attempts = 0, 0
                while made < n and attempts < n * 60:
                    attempts += 1
                    text = compose(intent, lang, rng, split == "heldout")
                    if key(text) in seen:
                        continue
                    seen.add(key(text))
                    rows.append({"text": text, "intent": intent, "language": lang, "split": split})
                    made += 1
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(
            f, fieldnames=["text", "intent", "language", "split"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT.relative_to(HERE.parents[2])}")


if __name__ == "__main__":
    main()
