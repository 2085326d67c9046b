"""Real-browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright cannot download its own browser here, so the tests launch /usr/bin/chromium (`make browser`
installs it). Without it they skip, except under REQUIRE_BROWSER=1 (.ci/run), where they fail.
Every page a test opens fails the test on any console error or uncaught exception.
"""

import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
NO_BROWSER = "Chromium is not installed at /usr/bin/chromium (run `make browser`)."
ANALYST = ("browser-analyst", "browser-pass-123")


@pytest.fixture(scope="session")
def chromium(django_db_setup):
    """One browser for the session, started after the test database exists and closed before it goes."""
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {NO_BROWSER}", pytrace=False)
        pytest.skip(NO_BROWSER)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread while it runs, and Django refuses
    # ORM calls from a thread with a running loop. The tests' ORM calls are plain sync code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def analyst(transactional_db, django_user_model):
    from django.contrib.auth.models import Group

    from core.groups import ANALYSTS

    user = django_user_model.objects.create_user(ANALYST[0], password=ANALYST[1])
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    return user


def _open_page(chromium, *, width: int, height: int):
    # Reduced motion: charts draw without animation, so a bar is where the test clicks.
    context = chromium.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True, reduced_motion="reduce"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    return context, page, problems


@pytest.fixture
def page(chromium, live_server):
    """A laptop-sized page; the test fails on any console error."""
    context, page, problems = _open_page(chromium, width=1366, height=900)
    yield page
    context.close()
    assert problems == [], problems


@pytest.fixture
def phone_page(chromium, live_server):
    context, page, problems = _open_page(chromium, width=375, height=812)
    yield page
    context.close()
    assert problems == [], problems


def login(page, live_server, *, next_path: str = "/") -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{live_server.url}{next_path}")
    assert "/login/" in page.url
    page.get_by_label("Username").fill(ANALYST[0])
    page.get_by_label("Password").fill(ANALYST[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(live_server.url + next_path) + r"$"))


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def shop(transactional_db):
    """A small shop dated from today, so the date presets have something to show.

    Last 7 days: 50.00 (Headphones, Ana) + 40.00 (2 × Desk Lamp, Bruno) = 90.00.
    Last 30 days: + 24.00 (3 × Mug, Carla) = 114.00. Older: 100.00 (Headphones) 45 days ago,
    30 × 8.00 mugs 60–89 days ago and 20.00 200 days ago: 35 sales, 474.00 in all.
    """
    from accounts.tests.factories import CustomerFactory
    from analytics.rollups import rollups_rebuild
    from catalog.tests.factories import ProductFactory
    from feedback.tests.factories import FeedbackFactory
    from sales.tests.factories import SaleFactory

    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)

    def ago(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    lamp = ProductFactory(name="Desk Lamp", category="Home & Kitchen", price=Decimal("20.00"))
    phones = ProductFactory(name="Headphones", category="Electronics", price=Decimal("50.00"))
    mug = ProductFactory(name="Mug", category="Home & Kitchen", price=Decimal("8.00"))
    lisbon, berlin = {"latitude": 38.72, "longitude": -9.14}, {"latitude": 52.52, "longitude": 13.40}
    ana = CustomerFactory(name="Ana Lima", city="Lisbon", country="PT", joined_at=ago(400), **lisbon)
    bruno = CustomerFactory(name="Bruno Kraus", city="Berlin", country="DE", joined_at=ago(300), **berlin)
    carla = CustomerFactory(name="Carla Sousa", city="Lisbon", country="PT", joined_at=ago(25), **lisbon)
    SaleFactory(product=phones, customer=ana, quantity=1, sold_at=ago(2))
    SaleFactory(product=lamp, customer=bruno, quantity=2, sold_at=ago(5))
    SaleFactory(product=mug, customer=carla, quantity=3, sold_at=ago(20))
    SaleFactory(product=phones, customer=ana, quantity=2, sold_at=ago(45))
    SaleFactory(product=lamp, customer=bruno, quantity=1, sold_at=ago(200))
    for days in range(60, 90):
        SaleFactory(product=mug, customer=ana, quantity=1, sold_at=ago(days))
    FeedbackFactory(product=lamp, customer=ana, rating=5, created_at=ago(3))
    FeedbackFactory(product=phones, customer=bruno, rating=3, created_at=ago(10))
    FeedbackFactory(product=mug, customer=carla, rating=4, created_at=ago(15))
    rollups_rebuild()
    return {"lamp": lamp, "phones": phones, "mug": mug, "ana": ana, "bruno": bruno, "carla": carla}
