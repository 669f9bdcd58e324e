"""The project starts from its README commands and is configured from the environment."""
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User

ROOT = settings.BASE_DIR


def _manage(*args, env):
    # Only what a real deployment would have: no test-only switches such as DJANGO_ALLOW_ASYNC_UNSAFE.
    dropped = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_refuses_to_start_with_a_weak_secret_key_when_debug_is_off():
    # Without SECRET_KEY a random one is generated once into var/secret_key (tests/test_production.py);
    # there is no built-in default key any more, and a short key from the environment is refused.
    result = _manage("check", env={"DEBUG": "0", "SECRET_KEY": "too-short-to-be-a-secret"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_deployment_checklist_is_clean():
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 20 + "k3y-from-the-environment-" + "y" * 30, "ALLOWED_HOSTS": "ubnd.example.org"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ


def test_default_database_is_a_sqlite_file_under_var_without_database_url():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT, env=env, capture_output=True, text=True)
    engine, name = out.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.endswith("var/db.sqlite3")


@pytest.mark.django_db
def test_demo_accounts_have_their_roles_and_password():
    expected = {
        "tramyte": ("tramyte", ["drafter"]),
        "kinhte": ("kinhte", ["drafter"]),
        "vhxh": ("vhxh", ["drafter", "reviewer"]),
        "vanphong": ("vanphong", ["drafter", "reviewer"]),
        "pct": (None, ["signer"]),
        "vanthu": ("vanphong", ["clerk"]),
        "admin": (None, ["admin"]),
        "congan": ("congan", ["drafter"]),
        "xom-12": ("xom-12", ["drafter"]),
    }
    for username, (unit, roles) in expected.items():
        user = User.objects.select_related("unit").get(username=username)
        assert (user.unit.code if user.unit else None) == unit, username
        assert user.roles == roles, username
        assert authenticate(username=username, password="demo2026") == user
    pct = User.objects.get(username="pct")
    assert (pct.full_name, pct.position) == ("Đào Hồng Thanh", "Phó Chủ tịch")
    assert User.objects.get(username="admin").is_superuser
    # one staff account for every unit
    from organizations.models import Unit

    assert set(Unit.objects.values_list("code", flat=True)) <= set(
        User.objects.filter(unit__isnull=False).values_list("unit__code", flat=True)
    )


@pytest.mark.django_db
def test_demo_accounts_command_prints_the_accounts():
    out = StringIO()
    call_command("demo_accounts", "--print", stdout=out)
    text = out.getvalue()
    assert "mật khẩu: demo2026" in text
    for username in ("tramyte", "kinhte", "vhxh", "vanphong", "pct", "vanthu", "admin"):
        assert f"  {username} " in text
