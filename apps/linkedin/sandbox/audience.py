"""The people who read, react to and comment on a sandbox post.

Everything here is a pure function of (seed, post URN, elapsed time), so a post's audience is
the same on every run with the same seed: `AudiencePlan.for_post()` draws the whole life of a
post up front (when each comment and reaction arrives, who writes what) and the sandbox
reveals the part of it that has happened by "now". Elapsed time is audience time: real
elapsed time on the sandbox clock multiplied by the configured speed.

Comment kinds are the ones lead detection cares about: `direct_inquiry`, `pricing_question`,
`hiring`, `pain`, `referral` (inquiries of different kinds) and `praise`, `technical`, `spam`
(most comments). The kind of every audience comment is kept so later tests have ground truth.
"""

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    sub: str
    name: str
    headline: str
    role: str  # cto, vp_engineering, recruiter, founder, peer, spammer
    language: str = "en"

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.sub}"

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]

    @property
    def last_name(self) -> str:
        return self.name.split(" ", 1)[1]


CAST = (
    Person("aud01PriyaN", "Priya Natarajan", "CTO at Finlytics | Scaling fintech platforms", "cto"),
    Person("aud02MarcusW", "Marcus Webb", "Chief Technology Officer @ ShipFleet", "cto"),
    Person("aud03KatrinH", "Katrin Hoffmann", "CTO bei MedTrail GmbH", "cto", "de"),
    Person("aud04OwenL", "Owen Li", "CTO & Co-founder, Quanta Health", "cto"),
    Person("aud05SofiaR", "Sofia Romano", "VP of Engineering at Brightloop", "vp_engineering"),
    Person(
        "aud06DanielK",
        "Daniel Kowalski",
        "VP Engineering | Platform & SRE @ Retailio",
        "vp_engineering",
    ),
    Person("aud07JonasB", "Jonas Becker", "VP Engineering bei Logistik24", "vp_engineering", "de"),
    Person("aud08AmaraO", "Amara Okafor", "Head of Engineering, PayGrid", "vp_engineering"),
    Person(
        "aud09ChloeM",
        "Chloe Martin",
        "Director of Engineering at Nimbus Analytics",
        "vp_engineering",
    ),
    Person(
        "aud10RachelG", "Rachel Green", "Technical Recruiter | Hiring Senior Engineers", "recruiter"
    ),
    Person("aud11TomS", "Tom Sanders", "Talent Partner @ CloudHire", "recruiter"),
    Person(
        "aud12LenaF", "Lena Fischer", "Tech Recruiterin | IT-Personalberatung", "recruiter", "de"
    ),
    Person("aud13KevinP", "Kevin Park", "Engineering Recruiter at Stackwise", "recruiter"),
    Person("aud14NadiaA", "Nadia Ahmed", "Founder & CEO, Lumen Legal AI", "founder"),
    Person("aud15BenC", "Ben Carter", "Co-founder at Tidewater Energy (seed stage)", "founder"),
    Person(
        "aud16MiaS",
        "Mia Schulz",
        "Gründerin & Geschäftsführerin, Hofladen Digital",
        "founder",
        "de",
    ),
    Person("aud17LucasD", "Lucas Dubois", "Founder, Orbit Commerce | ex-Shopify", "founder"),
    Person("aud18HannahY", "Hannah Yoon", "CEO at Carebridge | Building for clinics", "founder"),
    Person(
        "aud19AlexT", "Alex Turner", "Staff Engineer | Kubernetes, Go, distributed systems", "peer"
    ),
    Person("aud20FatimaZ", "Fatima Zahra", "Senior Platform Engineer at Dataweave", "peer"),
    Person("aud21NikoV", "Niko Virtanen", "Principal Engineer | Postgres enthusiast", "peer"),
    Person("aud22JuliaW", "Julia Weber", "Softwarearchitektin | Cloud & DevOps", "peer", "de"),
    Person("aud23SamR", "Sam Rivera", "Independent consultant | Data platforms", "peer"),
    Person("aud24EmmaJ", "Emma Johansson", "Engineering Manager at Northwind", "peer"),
    Person("aud25RaviK", "Ravi Kumar", "SRE Lead | Observability & incident response", "peer"),
    Person("aud26GeorgeH", "George Harris", "Solutions Architect, AWS Partner", "peer"),
    Person("aud27FelixM", "Felix Müller", "Freelance DevOps Engineer", "peer", "de"),
    Person(
        "aud28GrowthG", "Growth Guru Gary", "I help coaches 10x their LinkedIn reach", "spammer"
    ),
    Person("aud29CryptoC", "Crypto Claire", "Passive income | DM me", "spammer"),
    Person("aud30LeadsL", "Leads Larry", "B2B lead generation | 500+ meetings booked", "spammer"),
)

# How likely each role is to comment at all, and what each role tends to write.
ROLE_WEIGHTS = {
    "cto": 3,
    "vp_engineering": 3,
    "recruiter": 2,
    "founder": 3,
    "peer": 6,
    "spammer": 2,
}
KIND_WEIGHTS_BY_ROLE = {
    "cto": {"praise": 3, "technical": 3, "direct_inquiry": 2, "pricing_question": 2, "pain": 2},
    "vp_engineering": {
        "praise": 3,
        "technical": 3,
        "direct_inquiry": 2,
        "pain": 2,
        "hiring": 1,
    },
    "recruiter": {"hiring": 5, "praise": 1},
    "founder": {
        "praise": 2,
        "direct_inquiry": 2,
        "pricing_question": 2,
        "pain": 2,
        "referral": 1,
    },
    "peer": {"praise": 4, "technical": 5, "referral": 2},
    "spammer": {"spam": 1},
}

TOPICS = ("Kubernetes", "Postgres", "Terraform", "Kafka", "observability", "the cloud bill", "CI")

COMMENT_TEMPLATES = {
    "en": {
        "praise": (
            "Great post, thanks for sharing!",
            "This is spot on. Saving it for my team.",
            "Love how clearly you explain this.",
            "So true. We learned this the hard way.",
            "Thanks for writing this up, really useful.",
        ),
        "technical": (
            "How do you handle schema migrations with {topic} in that setup?",
            "We saw similar results with {topic}, but the p99 latency got worse at first.",
            "Did you consider running {topic} as a managed service instead?",
            "Interesting. What did you use for rollbacks?",
            "The tricky part for us with {topic} was observability, not the migration itself.",
        ),
        "direct_inquiry": (
            "Could we have a quick call about this? We're facing exactly that with {topic}.",
            "Would you be open to helping us with something similar? Sending you a DM.",
            "Do you take on consulting projects? We need an outside view on our {topic} setup.",
            "We'd love your help here. Are you available next month?",
        ),
        "pricing_question": (
            "What's your rate for a fractional CTO engagement?",
            "How do you usually price an architecture review like this?",
            "What would an audit of our {topic} setup cost, roughly?",
            "Do you offer fixed-price workshops? Interested in pricing.",
        ),
        "hiring": (
            "We're hiring a Head of Platform, would you be interested? DM me.",
            "Great insights! I have a senior {topic} role that might fit you, open to chat?",
            "Are you open to a full-time position? Our client is hiring a CTO.",
        ),
        "pain": (
            "We're stuck migrating to {topic} and the team is burning out.",
            "Our {topic} costs doubled this year and nobody knows why.",
            "Deploys take us two hours and break every other week. Any advice?",
            "This is exactly our problem right now, outages every Friday.",
        ),
        "referral": (
            "@Sam you should talk to this person about your {topic} problem.",
            "Tagging my CTO, this is what we discussed yesterday.",
            "I know a startup that needs exactly this, I'll introduce you.",
        ),
        "spam": (
            "Nice! I help consultants get 50 leads a week, check my profile.",
            "Great content! DM me for a free growth audit 🚀",
            "Earn $5k a week from home, link in bio!!!",
            "Want more followers? We can help, message me.",
        ),
    },
    "de": {
        "praise": (
            "Sehr guter Beitrag, danke fürs Teilen!",
            "Genau so ist es. Das leite ich an mein Team weiter.",
        ),
        "technical": (
            "Wie habt ihr das Monitoring für {topic} gelöst?",
            "Spannend. Habt ihr {topic} selbst betrieben oder als Managed Service?",
        ),
        "direct_inquiry": (
            "Können wir dazu kurz telefonieren? Wir haben genau dieses Problem mit {topic}.",
            "Hätten Sie Kapazität, uns bei so einem Projekt zu unterstützen?",
        ),
        "pricing_question": (
            "Was kostet bei Ihnen so ein Architektur-Review ungefähr?",
            "Wie ist Ihr Tagessatz als Interim-CTO?",
        ),
        "hiring": ("Wir suchen gerade einen Head of Engineering, wäre das etwas für Sie?",),
        "pain": (
            "Unsere Migration zu {topic} hängt seit Monaten fest.",
            "Bei uns dauern Deployments Stunden, und keiner traut sich mehr zu releasen.",
        ),
        "referral": ("Das solltest du dir ansehen, passt zu eurem {topic}-Projekt.",),
        "spam": ("Toller Beitrag! Schau dir mein Profil an für mehr Reichweite 🚀",),
    },
}

INQUIRY_KINDS = frozenset({"direct_inquiry", "pricing_question", "hiring", "pain", "referral"})
REACTION_TYPES = ("LIKE", "PRAISE", "EMPATHY", "INTEREST", "APPRECIATION", "ENTERTAINMENT")
REACTION_WEIGHTS = (60, 15, 8, 10, 5, 2)


@dataclass(frozen=True)
class AudienceComment:
    index: int
    offset_seconds: float  # audience time after publication when the comment arrives
    person: Person
    kind: str
    text: str


@dataclass(frozen=True)
class AudiencePlan:
    """The whole life of one post's engagement, drawn once from the seed and the post URN."""

    final_impressions: int
    reach_ratio: float
    decay_seconds: float
    reactions: tuple[tuple[float, str], ...]  # (offset_seconds, reaction type), sorted
    reshares: tuple[float, ...]
    comments: tuple[AudienceComment, ...]

    @classmethod
    def for_post(cls, seed: int, post_urn: str) -> "AudiencePlan":
        rng = random.Random(f"{seed}:{post_urn}")  # noqa: S311 - deterministic on purpose
        decay_seconds = rng.uniform(3, 8) * 3600
        reactions = sorted(
            (rng.expovariate(1 / decay_seconds), rng.choices(REACTION_TYPES, REACTION_WEIGHTS)[0])
            for _ in range(rng.randint(12, 90))
        )
        reshares = sorted(rng.expovariate(1 / decay_seconds) for _ in range(rng.randint(0, 6)))
        offsets = sorted(rng.expovariate(1 / decay_seconds) for _ in range(rng.randint(5, 14)))
        comments = tuple(
            _draw_comment(rng, index, offset) for index, offset in enumerate(offsets, start=1)
        )
        return cls(
            final_impressions=int(len(reactions) * rng.uniform(25, 60)),
            reach_ratio=rng.uniform(0.55, 0.8),
            decay_seconds=decay_seconds,
            reactions=tuple(reactions),
            reshares=tuple(reshares),
            comments=comments,
        )

    def comments_by(self, elapsed_seconds: float) -> tuple[AudienceComment, ...]:
        return tuple(c for c in self.comments if c.offset_seconds <= elapsed_seconds)

    def reactions_by(self, elapsed_seconds: float) -> dict[str, int]:
        counts: dict[str, int] = {}
        for offset, reaction_type in self.reactions:
            if offset <= elapsed_seconds:
                counts[reaction_type] = counts.get(reaction_type, 0) + 1
        return counts

    def reshares_by(self, elapsed_seconds: float) -> int:
        return sum(1 for offset in self.reshares if offset <= elapsed_seconds)

    def impressions_by(self, elapsed_seconds: float) -> int:
        if elapsed_seconds <= 0:
            return 0
        share_seen = 1 - math.exp(-elapsed_seconds / self.decay_seconds)
        engaged = sum(self.reactions_by(elapsed_seconds).values())
        engaged += len(self.comments_by(elapsed_seconds))
        # Everyone who engaged saw the post, so impressions never trail engagement.
        return max(int(self.final_impressions * share_seen), engaged * 3)

    def members_reached_by(self, elapsed_seconds: float) -> int:
        return int(self.impressions_by(elapsed_seconds) * self.reach_ratio)


def _draw_comment(rng: random.Random, index: int, offset: float) -> AudienceComment:
    person = rng.choices(CAST, [ROLE_WEIGHTS[p.role] for p in CAST])[0]
    kind_weights = KIND_WEIGHTS_BY_ROLE[person.role]
    kind = rng.choices(list(kind_weights), list(kind_weights.values()))[0]
    template = rng.choice(COMMENT_TEMPLATES[person.language][kind])
    return AudienceComment(
        index=index,
        offset_seconds=offset,
        person=person,
        kind=kind,
        text=template.format(topic=rng.choice(TOPICS)),
    )


def person_by_sub(sub: str) -> Person | None:
    return next((person for person in CAST if person.sub == sub), None)
