"""Create the local analyst and admin logins once, keep their passwords in DATA_DIR, print them."""

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from core.groups import ANALYSTS

LOGIN_FILE = "local-logins.json"


class Command(BaseCommand):
    help = "Create an analyst and a staff login for local use (once) and print them."

    def handle(self, *args, **options):
        path = settings.DATA_DIR / LOGIN_FILE
        saved = json.loads(path.read_text()) if path.exists() else {}
        User = get_user_model()
        logins = {}
        for username, staff in (("analyst", False), ("admin", True)):
            user = User.objects.filter(username=username).first()
            password = saved.get(username)
            if user is None or password is None or not user.check_password(password):
                if user is not None and password is None:
                    continue  # an account someone made by hand: leave it alone
                password = secrets.token_urlsafe(12)
                user = user or User(username=username)
                user.is_staff = user.is_superuser = staff
                user.set_password(password)
                user.save()
                if not staff:
                    user.groups.add(Group.objects.get(name=ANALYSTS))
            logins[username] = password
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(logins, indent=2))
        path.chmod(0o600)
        for username, password in logins.items():
            role = "staff, can edit in /admin/" if username == "admin" else "analyst, read-only"
            self.stdout.write(f"  {username:8} {password}   ({role})")
        self.stdout.write(f"  (saved in {path})")
