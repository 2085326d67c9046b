import json

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from accounts.management.commands.local_login import LOGIN_FILE
from core.groups import ANALYSTS

pytestmark = pytest.mark.django_db


def test_creates_analyst_and_admin_once_and_keeps_passwords(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    call_command("local_login")
    first = json.loads((tmp_path / LOGIN_FILE).read_text())
    out = capsys.readouterr().out
    assert first["analyst"] in out and first["admin"] in out
    assert (tmp_path / LOGIN_FILE).stat().st_mode & 0o077 == 0

    analyst = authenticate(username="analyst", password=first["analyst"])
    admin = authenticate(username="admin", password=first["admin"])
    assert analyst.groups.filter(name=ANALYSTS).exists() and not analyst.is_staff
    assert admin.is_staff

    call_command("local_login")
    assert json.loads((tmp_path / LOGIN_FILE).read_text()) == first
    assert get_user_model().objects.count() == 2


def test_generated_passwords_differ_between_installs(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("local_login")
    first = json.loads((tmp_path / LOGIN_FILE).read_text())
    get_user_model().objects.all().delete()
    (tmp_path / LOGIN_FILE).unlink()
    call_command("local_login")
    second = json.loads((tmp_path / LOGIN_FILE).read_text())
    assert first["analyst"] != second["analyst"]


def test_leaves_a_hand_made_account_alone(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    get_user_model().objects.create_user("analyst", password="mine-and-secret-1")
    call_command("local_login")
    assert authenticate(username="analyst", password="mine-and-secret-1") is not None
    assert "analyst" not in json.loads((tmp_path / LOGIN_FILE).read_text())
