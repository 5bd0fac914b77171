"""How LinkedIn reads the "little text" in a post's `commentary` (contract §3.3).

`published_text(raw)` turns what a client sent into what the post shows:

- `\\x` where x is a reserved character (backslash included) is the literal x;
- `@[Name](urn:li:person:ID)` and `@[Name](urn:li:organization:ID)` are mentions and are kept
  as written, so the published text still says who was mentioned;
- `#tag` is a hashtag and kept as written; the template `{hashtag|\\#|tag}` becomes `#tag`;
- any other reserved character, unescaped, ends the post there: LinkedIn answers 201 and
  silently publishes only the text before it. A backslash before a character that is not
  reserved counts as an unescaped backslash.
"""

import re

RESERVED_CHARACTERS = frozenset("\\|{}@[]()<>#*_~")

# The name may not contain reserved characters: anything fancier is not a mention and
# must be escaped like ordinary text.
MENTION = re.compile(
    r"@\[[^\\|{}@\[\]()<>#*_~\n]+\]\(urn:li:(?:person|organization):[A-Za-z0-9_-]+\)"
)
HASHTAG = re.compile(r"#\w+")
HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\#\|(\w+)\}")


def published_text(raw: str) -> str:
    """The text LinkedIn publishes for `raw`, cut at the first unescaped reserved character."""
    published = []
    position = 0
    while position < len(raw):
        character = raw[position]
        if character not in RESERVED_CHARACTERS:
            published.append(character)
            position += 1
            continue
        if character == "\\":
            following = raw[position + 1 : position + 2]
            if following and following in RESERVED_CHARACTERS:
                published.append(following)
                position += 2
                continue
            break
        if character == "@" and (mention := MENTION.match(raw, position)):
            published.append(mention.group())
            position = mention.end()
            continue
        if character == "#" and (hashtag := HASHTAG.match(raw, position)):
            published.append(hashtag.group())
            position = hashtag.end()
            continue
        if character == "{" and (template := HASHTAG_TEMPLATE.match(raw, position)):
            published.append("#" + template.group(1))
            position = template.end()
            continue
        break
    return "".join(published)
