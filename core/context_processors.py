"""Values every page template needs: the navigation, the Kibana link and the currency."""

import functools

from django.conf import settings

from core.permissions import can_read

NAV = (
    ("Dashboard", "/"),
    ("Customers", "/users/"),
    ("Cohorts", "/users/cohorts/"),
    ("Segments", "/users/segments/"),
    ("Customer value", "/users/value/"),
    ("Products", "/products/"),
    ("Sales", "/sales/"),
    ("Feedback", "/feedback/"),
    ("Search", "/search/"),
)


def product(request):
    path = getattr(request, "path", "")
    # The longest matching prefix is the page's own entry (/users/cohorts/ is not also Customers).
    matches = [url for _, url in NAV if (path == url if url == "/" else path.startswith(url))]
    current = max(matches, key=len, default=None)
    nav = [{"label": label, "url": url, "active": url == current} for label, url in NAV]
    return {
        "KIBANA_URL": settings.KIBANA_URL,
        # ISO 4217 code for Intl.NumberFormat; the seed prices in US dollars.
        "CURRENCY": settings.CURRENCY,
        "NAV": nav,
        # Called only by templates that ask (one query for a non-staff user).
        "CAN_READ": functools.partial(can_read, getattr(request, "user", None)),
    }
