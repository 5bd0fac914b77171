"""What a draft could not be written from, told to the consultant on the draft.

The engine never swaps a topic it has no vocabulary for, and never translates the
consultant's own notes; instead the editor says what is missing, so the next draft is better.
"""

from django.utils.translation import gettext as _

from apps.content.engine.base import ProfileSnapshot
from apps.content.engine.grammar import in_draft_language
from apps.content.engine.truth import proof_points
from apps.content.engine.vocabulary import area_key, topic_words


def topic_is_known(profile: ProfileSnapshot, topic: str) -> bool:
    """Whether anything the engine writes from speaks of the topic: an area of the vocabulary,
    or the profile's own areas, offers and proof points sharing its words."""
    if area_key(topic) is not None:
        return True
    words = topic_words(topic)
    if not words:
        return True  # nothing to look for: "AI", "CI" are names the vocabulary would know
    own = [*profile.areas, *profile.offers, profile.headline]
    for point in proof_points(profile):
        own += [point.title, point.outcome, point.problem]
    return any(words & topic_words(text) for text in own if text)


def draft_notices(profile: ProfileSnapshot, topic: str, text: str) -> list[str]:
    """Notices for a draft on `topic` whose current text is `text`, in the user's language."""
    notices = []
    topic = " ".join((topic or "").split())
    if topic and not topic_is_known(profile, topic):
        notices.append(
            _(
                "No vocabulary for “%(topic)s”: the draft names it but draws its advice from "
                "your areas. Add a proof point on it, or name it among your areas or offers in "
                "your profile, and the next draft can say more."
            )
            % {"topic": topic}
        )
    if profile.language == "de":
        quoted = []
        for point in proof_points(profile):
            for note in (point.title, point.outcome, point.problem):
                if not note:
                    continue
                for form in (note, note[:1].lower() + note[1:]):
                    marked = in_draft_language(form, "de")
                    if marked != form and marked in text and marked not in quoted:
                        quoted.append(marked)
        if quoted:
            notices.append(
                _(
                    "Your case study is written in English, so this German draft quotes it: "
                    "%(quotes)s. Reword the quoted parts in German before you post, or keep "
                    "them as your own words. Add a German wording to the case study in your "
                    "profile's proof vault, and the next German draft tells it in German."
                )
                % {"quotes": ", ".join(quoted)}
            )
    return notices
