import pytest
from django.core.exceptions import ImproperlyConfigured

from tuki.lib.env import env_bool, env_int, env_list, env_str, secret_key


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("TUKI_FLAG", "TUKI_FLAG_FILE", "TUKI_SECRET_KEY", "TUKI_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)


def test_a_boolean_reads_the_usual_spellings(monkeypatch):
    for text, expected in [("true", True), ("1", True), ("ON", True), ("no", False), ("0", False)]:
        monkeypatch.setenv("TUKI_FLAG", text)
        assert env_bool("FLAG") is expected


def test_a_missing_or_empty_value_gives_the_default(monkeypatch):
    assert env_bool("FLAG", True) is True
    monkeypatch.setenv("TUKI_FLAG", "")
    assert env_str("FLAG", "fallback") == "fallback"
    assert env_int("FLAG", 5) == 5
    assert env_list("FLAG", ["a"]) == ["a"]


def test_a_bad_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("TUKI_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="TUKI_FLAG"):
        env_bool("FLAG")


def test_a_bad_integer_fails_loudly(monkeypatch):
    monkeypatch.setenv("TUKI_FLAG", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("FLAG", 1)


def test_a_list_is_comma_separated(monkeypatch):
    monkeypatch.setenv("TUKI_FLAG", "a.example, b.example,,")
    assert env_list("FLAG", []) == ["a.example", "b.example"]


def test_a_value_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "flag"
    secret.write_text("yes\n")
    monkeypatch.setenv("TUKI_FLAG_FILE", str(secret))
    assert env_bool("FLAG") is True


def test_the_variable_itself_wins_over_its_file(monkeypatch, tmp_path):
    secret = tmp_path / "flag"
    secret.write_text("yes")
    monkeypatch.setenv("TUKI_FLAG_FILE", str(secret))
    monkeypatch.setenv("TUKI_FLAG", "false")
    assert env_bool("FLAG") is False


def test_an_unreadable_file_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("TUKI_FLAG_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="TUKI_FLAG_FILE"):
        env_str("FLAG")


def test_a_secret_key_is_generated_once_into_the_var_dir_and_reused(tmp_path):
    var = tmp_path / "var"
    key = secret_key(var)
    assert len(key) >= 50
    assert (var / "secret_key").read_text() == key
    assert (var / "secret_key").stat().st_mode & 0o777 == 0o600
    assert secret_key(var) == key


def test_a_configured_secret_key_is_used_and_nothing_is_written(monkeypatch, tmp_path):
    monkeypatch.setenv("TUKI_SECRET_KEY", "configured")
    assert secret_key(tmp_path) == "configured"
    assert not (tmp_path / "secret_key").exists()


def test_a_secret_key_can_come_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "key").write_text("from-a-file\n")
    monkeypatch.setenv("TUKI_SECRET_KEY_FILE", str(tmp_path / "key"))
    assert secret_key(tmp_path / "var") == "from-a-file"
