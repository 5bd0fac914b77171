"""Benchmark: making a 10-slide carousel from a post (cover, 8 points, closing question).

Not a timed assertion: the figures go into the benchmark report (tests/bench/conftest.py).
Measured in one run: drawing the PDF with reportlab, drawing the page thumbnails with Pillow
(the preview before attaching), and the whole click (slides from the post, PDF, validation
with pypdf, first-page cover, storage and the database row), against a fixed reference of
one second, what a click may take before it feels slow. And an uploaded PDF's preview: its
first four pages rendered by PDFium (pypdfium2), as attaching a PDF does, against drawing the
carousel's ten thumbnails.
"""

import statistics
import time

import pytest

from apps.media import carousel as carousel_module
from apps.media.models import PostMedia
from apps.media.thumbnails import PREVIEW_PAGES, pdf_page_images

pytestmark = pytest.mark.bench

RUNS = 15
POST = """Eight things I learned moving 40 services to Kubernetes.

1. Start with the boring services, the ones nobody is proud of.
2. Put resource requests and limits on everything from day one, even when it feels premature.
3. Observability first: without traces you are guessing where the time goes.
4. Rightsize node groups every quarter; last year's traffic is not this year's.
5. Spot instances for stateless work, on-demand for anything with a disk.
6. Keep the old deploy path alive for a month after the cutover.
7. Train the on-call rotation before the migration, not during the first incident.
8. Write the runbooks while migrating, when the details are still fresh.

What would you add to the list?"""


def p50_ms(function, runs=RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


@pytest.mark.django_db
def test_bench_a_ten_slide_carousel(bench_report, alice, alice_workspace):
    from apps.content.models import Post
    from apps.media.services import carousel_attach

    post = Post.objects.create(workspace=alice_workspace, author=alice, text=POST)
    made = carousel_module.carousel_from_post(post=post, language="en")
    assert made.page_count == 10

    pdf_ms = p50_ms(lambda: carousel_module.render_pdf(made))
    thumbnails_ms = p50_ms(lambda: carousel_module.render_thumbnails(made))
    click_ms = p50_ms(lambda: carousel_attach(post=post, actor=alice, language="en"))
    pdf = carousel_module.render_pdf(made)
    assert len(pdf_page_images(pdf)) == PREVIEW_PAGES
    pages_ms = p50_ms(lambda: pdf_page_images(pdf))
    assert PostMedia.objects.filter(post=post).count() == 1  # each click replaced the last

    bench_report.add(
        "10-slide PDF (reportlab) p50", pdf_ms, "ms", "10 thumbnails (Pillow) p50", thumbnails_ms
    )
    bench_report.add(
        "make and attach a 10-slide carousel p50",
        click_ms,
        "ms",
        "one click's budget (fixed reference)",
        1000.0,
        ratio_goal="<= 1",
        note="slides, PDF, pypdf check, cover, storage, row",
    )
    bench_report.add(
        f"first {PREVIEW_PAGES} pages of an uploaded 10-page PDF rendered (PDFium) p50",
        pages_ms,
        "ms",
        "10 thumbnails (Pillow) p50",
        thumbnails_ms,
        note="the pictures attaching a PDF stores for its preview",
    )
