"""English, Romanian and Finnish ship complete: a string without a translation fails here."""

import shutil

import pytest
from django.test import override_settings
from django.utils import translation

from tuki.lib import catalogs

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext (xgettext) is not installed"
)


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    return catalogs.extract_msgids()


@needs_gettext
@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_every_string_in_the_code_is_translated(msgids, lang):
    missing = catalogs.missing_translations(lang, msgids)
    assert not missing, f"{len(missing)} strings lack a {lang} translation, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_the_catalog_has_no_untranslated_or_fuzzy_entries(lang):
    assert catalogs.missing_translations(lang) == []


@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_the_compiled_catalog_matches_the_po_file(lang):
    committed = catalogs.po_path(lang).with_suffix(".mo").read_bytes()
    assert committed == catalogs.compiled_bytes(lang), "run: python -m tuki.lib.catalogs compile"


@override_settings(LANGUAGE_CODE="en")
def test_pages_speak_the_users_language(client, desk):
    for lang, word in (("ro", "Preferințe"), ("fi", "Asetukset")):
        desk.requester.language = lang
        desk.requester.save()
        client.force_login(desk.requester)
        response = client.get("/preferences/")
        assert word in response.content.decode()
    translation.activate("en")


PLACEHOLDER = __import__("re").compile(r"%\((\w+)\)[sdif]|%[sdif]")


@pytest.mark.parametrize("lang", catalogs.LANGUAGES)
def test_translations_keep_every_placeholder(lang):
    import polib

    broken = []
    for entry in polib.pofile(str(catalogs.po_path(lang))):
        # A plural form may read like the singular ("The last run") or the plural ("The
        # last %(counter)s runs"): its placeholders must be those of one or the other.
        wanted = [sorted(PLACEHOLDER.findall(entry.msgid))]
        if entry.msgid_plural:
            wanted.append(sorted(PLACEHOLDER.findall(entry.msgid_plural)))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in forms:
            if text and sorted(PLACEHOLDER.findall(text)) not in wanted:
                broken.append(entry.msgid)
    assert not broken, f"placeholders differ in {broken[:5]}"
