"""A fixed multilingual set for duplicate detection at intake: the same issue told in
English, Romanian and Finnish, and unrelated calls that must not be taken for it.

`SHARED`: the three tellings share a word no stemmer changes (an error code, a product):
the stem path finds them across languages. `WORDS_ONLY`: the same issue in plain words of
each language, nothing shared but "VPN" — only the semantic model (tuki.assist.semantic)
can tell they are the same; the stem path must not claim them.
"""

from __future__ import annotations

# issue -> {language: (title, description)}
SHARED = {
    "vpn-809": {
        "en": ("VPN error 809 when connecting", "The VPN client stops with error 809."),
        "ro": ("VPN eroare 809 la conectare", "Clientul VPN se oprește cu eroarea 809."),
        "fi": ("VPN virhe 809 yhdistettäessä", "VPN-asiakas pysähtyy virheeseen 809."),
    },
    "outlook-0x800ccc0e": {
        "en": ("Outlook 0x800CCC0E sending mail", "Outlook cannot send, error 0x800CCC0E."),
        "ro": ("Outlook 0x800CCC0E la trimiterea e-mailului", "Outlook nu trimite, 0x800CCC0E."),
        "fi": ("Outlook 0x800CCC0E postia lähetettäessä", "Outlook ei lähetä, 0x800CCC0E."),
    },
}

WORDS_ONLY = {
    "vpn-home": {
        "en": ("VPN does not connect from home", "Since this morning I cannot get in."),
        "ro": ("VPN-ul nu se conectează de acasă", "De azi dimineață nu pot intra."),
        "fi": ("VPN ei yhdistä kotoa", "Aamusta asti en pääse sisään."),
    },
}

UNRELATED = {
    "en": ("Printer jam on the third floor", "Paper stuck in tray 2."),
    "ro": ("Imprimanta blocată la etajul trei", "Hârtie blocată în tava 2."),
    "fi": ("Tulostin jumissa kolmannessa kerroksessa", "Paperi juuttunut lokeroon 2."),
}

LANGUAGES = ("en", "ro", "fi")
