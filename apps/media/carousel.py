"""A PDF carousel made from a post: a cover, one slide per point, a closing call to action.

The slides come only from the post's own text (the hook, its points, its closing question)
and the workspace's name; nothing is added that the person did not write, apart from fixed
navigation words ("Swipe", "Follow … for more") in the post's language.

`render_pdf` draws the slides with reportlab at 1080 by 1350 points (4:5, the portrait shape
LinkedIn shows largest on a phone) with large type; `render_thumbnails` draws the same slides
with Pillow as small PNGs for the preview before the carousel is attached (no poppler needed).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import selectors

PAGE_WIDTH, PAGE_HEIGHT = 1080, 1350
MARGIN = 96
MAX_WORDS_PER_SLIDE = 40  # readable on a phone without zooming
MAX_POINT_SLIDES = 18
COVER_MAX_WORDS = 24
BULLET = re.compile(r"^\s*(?:[-*•→▪►✅✔️]+|\d{1,2}[.)]|[a-z][.)])\s+", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[.!?…])\s+")
HASHTAG_LINE = re.compile(r"^(?:\s*#\w+)+\s*$")
URL = re.compile(r"https?://\S+")
LANGUAGES = ("en", "de")


@dataclass(frozen=True)
class Slide:
    kind: str  # "cover", "point" or "closing"
    heading: str
    body: str = ""


@dataclass
class Carousel:
    slides: list[Slide]
    title: str
    file_stem: str
    name: str
    background: str
    accent: str
    text: str
    logo: bytes | None = field(default=None, repr=False)

    @property
    def page_count(self) -> int:
        return len(self.slides)


def _words(text: str) -> list[str]:
    return text.split()


def _chunks(text: str) -> list[str]:
    """A point as slides of at most MAX_WORDS_PER_SLIDE words, split at sentence ends where
    possible; no word is dropped."""
    chunks: list[str] = []
    current: list[str] = []
    for sentence in SENTENCE.split(text.strip()):
        words = _words(sentence)
        while len(words) > MAX_WORDS_PER_SLIDE:  # one very long sentence
            if current:
                chunks.append(" ".join(current))
                current = []
            chunks.append(" ".join(words[:MAX_WORDS_PER_SLIDE]))
            words = words[MAX_WORDS_PER_SLIDE:]
        if current and len(current) + len(words) > MAX_WORDS_PER_SLIDE:
            chunks.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        chunks.append(" ".join(current))
    return chunks


def post_points(text: str) -> tuple[str, list[str], str]:
    """The post's hook, its points and its closing question ("" when it ends otherwise)."""
    text = URL.sub("", text.replace("\r\n", "\n"))
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    paragraphs = [p for p in paragraphs if not HASHTAG_LINE.match(p)]
    if not paragraphs:
        return "", [], ""
    hook_lines = paragraphs[0].split("\n")
    hook = hook_lines[0].strip()
    rest = ["\n".join(hook_lines[1:])] if len(hook_lines) > 1 else []
    rest += paragraphs[1:]
    closing = ""
    if rest and rest[-1].rstrip().endswith("?") and "\n" not in rest[-1].strip():
        closing = rest.pop().strip()
    points: list[str] = []
    for paragraph in rest:
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if len(lines) > 1 and sum(bool(BULLET.match(line)) for line in lines) >= len(lines) - 1:
            points.extend(BULLET.sub("", line) for line in lines)
        else:
            points.append(" ".join(BULLET.sub("", line) for line in lines))
    return hook, [point for point in points if point], closing


def carousel_from_post(*, post, language: str) -> Carousel:
    """The slides for `post` in `language` ("en" or "de"), in the workspace's style."""
    language = language if language in LANGUAGES else "en"
    hook, points, closing = post_points(post.text)
    style = selectors.carousel_style(workspace=post.workspace)
    name = post.workspace.name
    with translation.override(language):
        cover_words = _words(hook)
        cover = " ".join(cover_words[:COVER_MAX_WORDS]) + (
            "…" if len(cover_words) > COVER_MAX_WORDS else ""
        )
        slides = [Slide("cover", cover or name, _("Swipe »"))]
        for point in points:
            for chunk in _chunks(point):
                slides.append(Slide("point", chunk))
        point_slides = slides[1 : 1 + MAX_POINT_SLIDES]
        slides = [slides[0], *point_slides]
        slides.append(
            Slide(
                "closing",
                closing or _("What would you add?"),
                _("Tell me in the comments, and follow %(name)s for more.") % {"name": name},
            )
        )
    logo = None
    if style.logo:
        with style.logo.open("rb") as handle:
            logo = handle.read()
    return Carousel(
        slides=slides,
        title=(cover or name)[:200],
        file_stem=(slugify(hook)[:60] or "carousel"),
        name=name,
        background=style.background,
        accent=style.accent,
        text=style.text,
        logo=logo,
    )


# --- Drawing ----------------------------------------------------------------------------------

HEADING_SIZES = {"cover": (88, 48), "point": (60, 38), "closing": (72, 44)}
BODY_SIZE = 40


def _pdf_safe(text: str) -> str:
    """Text the PDF's standard fonts can draw (Windows-1252: Latin with umlauts, quotes and
    dashes); other characters, emoji mostly, are left out rather than shown as boxes."""
    return text.encode("cp1252", "ignore").decode("cp1252")


def _fit(text: str, measure, width: float, height: float, largest: int, smallest: int):
    """The largest font size (stepping down) at which `text` wraps into the box; lines and size."""
    size = largest
    while True:
        lines = _wrap(text, lambda s, size=size: measure(s, size), width)
        if len(lines) * size * 1.2 <= height or size <= smallest:
            return lines, size
        size -= 4


def _wrap(text: str, width_of, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and width_of(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _layout(carousel: Carousel, index: int, measure_heading, measure_body):
    """Where each line of a slide goes, in page points from the top-left."""
    slide = carousel.slides[index]
    width = PAGE_WIDTH - 2 * MARGIN
    largest, smallest = HEADING_SIZES[slide.kind]
    body_height = 0
    body_lines: list[str] = []
    if slide.body:
        body_lines = _wrap(slide.body, lambda s: measure_body(s, BODY_SIZE), width)
        body_height = len(body_lines) * BODY_SIZE * 1.3 + 48
    lines, size = _fit(
        slide.heading,
        measure_heading,
        width,
        PAGE_HEIGHT - 2 * MARGIN - 200 - body_height,
        largest,
        smallest,
    )
    block = len(lines) * size * 1.2 + body_height
    top = max(MARGIN + 140, (PAGE_HEIGHT - block) / 2)
    placed = []
    for number, line in enumerate(lines):
        placed.append(("heading", line, size, MARGIN, top + size * (1 + number * 1.2)))
    y = top + len(lines) * size * 1.2 + 48
    for number, line in enumerate(body_lines):
        placed.append(("body", line, BODY_SIZE, MARGIN, y + BODY_SIZE * (1 + number * 1.3)))
    footer = f"{index + 1} / {carousel.page_count}"
    return placed, footer


def render_pdf(carousel: Carousel) -> bytes:
    from reportlab.lib.colors import HexColor
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    pdf.setTitle(_pdf_safe(carousel.title))
    pdf.setAuthor(_pdf_safe(carousel.name))
    logo = ImageReader(io.BytesIO(carousel.logo)) if carousel.logo else None
    for index in range(carousel.page_count):
        pdf.setFillColor(HexColor(carousel.background))
        pdf.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
        pdf.setFillColor(HexColor(carousel.accent))
        pdf.rect(MARGIN, PAGE_HEIGHT - MARGIN - 16, 160, 16, stroke=0, fill=1)
        placed, footer = _layout(
            carousel,
            index,
            lambda s, size: stringWidth(_pdf_safe(s), "Helvetica-Bold", size),
            lambda s, size: stringWidth(_pdf_safe(s), "Helvetica", size),
        )
        for part, line, size, x, y in placed:
            pdf.setFillColor(HexColor(carousel.text if part == "heading" else carousel.accent))
            pdf.setFont("Helvetica-Bold" if part == "heading" else "Helvetica", size)
            pdf.drawString(x, PAGE_HEIGHT - y, _pdf_safe(line))
        pdf.setFillColor(HexColor(carousel.text))
        pdf.setFont("Helvetica-Bold", 30)
        pdf.drawString(MARGIN, MARGIN - 10, _pdf_safe(carousel.name))
        pdf.setFont("Helvetica", 30)
        pdf.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 10, footer)
        if logo is not None:
            pdf.drawImage(
                logo,
                PAGE_WIDTH - MARGIN - 120,
                PAGE_HEIGHT - MARGIN - 120,
                120,
                120,
                preserveAspectRatio=True,
                mask="auto",
            )
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def render_thumbnails(
    carousel: Carousel, *, width: int = 270, pages: int | None = None
) -> list[bytes]:
    """Each slide (or the first `pages`) as a PNG `width` pixels wide, drawn like the PDF."""
    from PIL import Image, ImageDraw, ImageFont

    scale = width / PAGE_WIDTH
    fonts: dict[int, ImageFont.FreeTypeFont] = {}

    def font(size: float):
        pixels = max(6, round(size * scale))
        if pixels not in fonts:
            fonts[pixels] = ImageFont.load_default(size=pixels)
        return fonts[pixels]

    def measure(text: str, size: float) -> float:
        return font(size).getlength(text) / scale

    logo = None
    if carousel.logo:
        try:
            logo = Image.open(io.BytesIO(carousel.logo)).convert("RGBA")
            logo.thumbnail((round(120 * scale), round(120 * scale)))
        except OSError:
            logo = None
    pngs = []
    for index in range(min(carousel.page_count, pages or carousel.page_count)):
        image = Image.new("RGB", (width, round(PAGE_HEIGHT * scale)), carousel.background)
        draw = ImageDraw.Draw(image)
        draw.rectangle(
            [MARGIN * scale, (MARGIN) * scale, (MARGIN + 160) * scale, (MARGIN + 16) * scale],
            fill=carousel.accent,
        )
        placed, footer = _layout(carousel, index, measure, measure)
        for part, line, size, x, y in placed:
            colour = carousel.text if part == "heading" else carousel.accent
            draw.text(
                (x * scale, (y - size) * scale), _pdf_safe(line), font=font(size), fill=colour
            )
        bottom = (PAGE_HEIGHT - MARGIN - 20) * scale
        name = _pdf_safe(carousel.name)
        draw.text((MARGIN * scale, bottom), name, font=font(30), fill=carousel.text)
        draw.text(
            ((PAGE_WIDTH - MARGIN) * scale - font(30).getlength(footer), bottom),
            footer,
            font=font(30),
            fill=carousel.text,
        )
        if logo is not None:
            image.paste(
                logo, (round((PAGE_WIDTH - MARGIN - 120) * scale), round(MARGIN * scale)), logo
            )
        out = io.BytesIO()
        image.save(out, "PNG", optimize=False)
        pngs.append(out.getvalue())
    return pngs
