"""manage.py trends_digest: the week's changes with their top contributors, the unusual days and next
week's forecast, as plain text on stdout or mailed (text and HTML) through Django's email settings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import URLValidator, validate_email
from django.template.loader import render_to_string

from analytics.digest import build_digest, presented

BAD_EMAIL = "--email must be an email address, got {value!r}."
BAD_URL = "--base-url must be an http(s) URL like http://127.0.0.1:8000, got {value!r}."


class Command(BaseCommand):
    help = "Write (or mail with --email) the weekly trends digest: changes, their top categories, unusual days, forecast."

    def add_arguments(self, parser):
        parser.add_argument("--email", metavar="ADDRESS", help="mail it (text and HTML) to ADDRESS instead of printing")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000",
                            help="where the app runs, for the links (default http://127.0.0.1:8000)")
        parser.add_argument("--html", action="store_true", help="print the HTML part instead of the text")

    def handle(self, *args, email=None, base_url="", html=False, **options):
        if email is not None:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(BAD_EMAIL.format(value=email)) from None
        try:
            URLValidator(schemes=["http", "https"])(base_url)
        except ValidationError:
            raise CommandError(BAD_URL.format(value=base_url)) from None
        context = presented(build_digest(), base_url=base_url.rstrip("/"))
        text = render_to_string("analytics/trends_digest.txt", context)
        body_html = render_to_string("analytics/trends_digest.html", context)
        if email is None:
            self.stdout.write(body_html if html else text, ending="")
            return
        message = EmailMultiAlternatives(
            subject=context.get("subject", "Trends digest"), body=text, from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
        )
        message.attach_alternative(body_html, "text/html")
        message.send()
        if options["verbosity"]:
            self.stderr.write(f"Digest mailed to {email}.")
