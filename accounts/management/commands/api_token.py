"""Issue, rotate or revoke a login's API token; the key goes to stdout so scripts can capture it."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from core.permissions import can_read

NO_SUCH_LOGIN = "No login named {username!r}."
CANNOT_READ = (
    "{username!r} is neither staff nor in the analysts group, so the API would refuse its token; "
    "add it to the group (or make it staff) first."
)
USAGE = 'Send it as the header  Authorization: Token <key>  (see /api/docs/).'


class Command(BaseCommand):
    help = "Print the API token of a login (analyst or staff), creating it if needed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rotate", action="store_true", help="Replace the token with a new one.")
        action.add_argument("--revoke", action="store_true", help="Delete the token; print nothing.")

    def handle(self, *args, username, rotate, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(NO_SUCH_LOGIN.format(username=username))
        if revoke:
            deleted, _ = Token.objects.filter(user=user).delete()
            self.stderr.write(f"Revoked {username}'s token." if deleted else f"{username} had no token.")
            return
        if not can_read(user):
            raise CommandError(CANNOT_READ.format(username=username))
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
        self.stderr.write(("New token. " if created else "") + USAGE)
