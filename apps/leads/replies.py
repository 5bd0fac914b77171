"""A suggested reply to an inquiry, in the member's language, for them to edit."""

from django.utils import translation

REPLIES = {
    "en": {
        "pricing_question": "Thanks for asking! It depends on scope, so I'd rather not guess "
        "in a comment. I've sent you a connection request; happy to share "
        "numbers in a quick call.",
        "direct_inquiry": "Thanks for reaching out! I'd be glad to talk. I'll send you a "
        "message so we can find 20 minutes this week.",
        "hiring_signal": "Thanks! Happy to help you think through the role or the setup "
        "before you hire. I'll send you a message.",
        "pain_signal": "That sounds painful, and fixable. I'll send you a message with a few "
        "questions; glad to share what worked for others.",
        "referral": "Thank you for thinking of me! I'd be glad to be introduced. I'll send "
        "you a message.",
        "default": "Thanks for your comment! I'll send you a message.",
    },
    "de": {
        "pricing_question": "Danke für die Frage! Das hängt vom Umfang ab, daher rate ich "
        "ungern im Kommentar. Ich habe Ihnen eine Kontaktanfrage "
        "geschickt; gern nenne ich Zahlen in einem kurzen Gespräch.",
        "direct_inquiry": "Danke für Ihre Nachricht! Ich spreche gern mit Ihnen und schreibe "
        "Ihnen direkt, damit wir diese Woche 20 Minuten finden.",
        "hiring_signal": "Danke! Gern helfe ich, die Rolle oder das Setup vor der Einstellung "
        "zu durchdenken. Ich schreibe Ihnen eine Nachricht.",
        "pain_signal": "Das klingt mühsam, ist aber lösbar. Ich schreibe Ihnen mit ein paar "
        "Fragen; gern teile ich, was bei anderen funktioniert hat.",
        "referral": "Danke, dass Sie an mich denken! Über eine Vorstellung freue ich mich. "
        "Ich schreibe Ihnen eine Nachricht.",
        "default": "Danke für Ihren Kommentar! Ich schreibe Ihnen eine Nachricht.",
    },
}


def suggested_reply(comment, *, language: str = "", name: str = "") -> str:
    language = language if language in REPLIES else (translation.get_language() or "en")[:2]
    replies = REPLIES.get(language, REPLIES["en"])
    return replies.get(getattr(comment, "intent", ""), replies["default"])
