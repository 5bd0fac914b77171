import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", "--no-history", stdout=open("/dev/null", "w"))  # noqa: SIM115
    sandbox_db = str(tmp_path / "sandbox.sqlite3")
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo_history", "--db", sandbox_db, stdout=quiet)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_demo_dashboard_draws_its_charts(page, screenshot, demo, width):
    from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password:").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/demo/")
    screenshot(page, f"dashboard-{width}")

    charts = page.locator("svg[role=img]:not(.spark-svg)")
    assert charts.count() >= 3
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["width"] > 100
        assert box["height"] > 40
        # Something is drawn: lines, bars or areas, not only an empty frame.
        assert charts.nth(index).locator("path, rect, polyline").count() > 1
    # Every stat card has its sparkline, drawn and described in words.
    cards = page.locator(".dash-stats .stat")
    assert cards.count() == 6
    for index in range(cards.count()):
        spark = cards.nth(index).locator("svg.spark-svg")
        assert spark.bounding_box()["width"] > 40
        assert ": lowest " in spark.get_attribute("aria-label")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_choosing_a_period_marks_it_and_shows_its_figures(page, demo):
    from apps.accounts.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password:").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/w/demo/")
    periods = page.get_by_role("navigation", name="Period")
    periods.get_by_role("link", name="7 days").click()
    page.wait_for_url("**/w/demo/?days=7")
    page.locator('#dash-body[data-days="7"]').wait_for()
    assert periods.locator("a[aria-current]").all_inner_texts() == ["7 days"]
    assert "Last 7 days" in page.locator("#dash-body").inner_text()
