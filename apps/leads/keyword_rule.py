"""The baseline lead detector: a plain keyword rule, kept so that `manage.py leads_eval` can show
whether the model earns its keep. A comment is a lead when it contains any of a short list of
buying, contact or pricing phrases (English and German). No model, no corpus: what a developer
would write in a minute. Not used by the product."""

from __future__ import annotations

import re

_LEAD_PHRASES = re.compile(
    r"\b(price|pricing|cost|how much|rate|rates|quote|budget|hire|hiring|book|buy|order"
    r"|call me|call back|contact|dm|pm|get in touch|reach out|can we talk|let's talk"
    r"|interested|need help|looking for|available|consulting|consultant|project|audit"
    r"|workshop|kosten|kostet|preis|angebot|tagessatz|anfrage|beratung|projekt|buchen"
    r"|telefonieren|interesse|suchen|brauchen|bräuchten|unterstützung|verfügbar)\b",
    re.IGNORECASE,
)


def is_lead(text: str) -> bool:
    return bool(_LEAD_PHRASES.search(text or ""))
