"""A fixed multilingual set for the semantic search tests: six everyday issues, each described
by a requester in English, Romanian and Finnish (as tickets), and one knowledge article per
issue written in one language only. Written for these tests; the texts are plain, the way
people type them, not translations word for word.
"""

from __future__ import annotations

# issue -> language -> (ticket title, ticket description)
ISSUES: dict[str, dict[str, tuple[str, str]]] = {
    "vpn": {
        "en": (
            "VPN keeps disconnecting",
            "Since this morning my VPN connection drops every few minutes when I work from "
            "home, and I have to reconnect each time.",
        ),
        "ro": (
            "Conexiunea VPN se întrerupe mereu",
            "De azi dimineață conexiunea VPN cade la câteva minute când lucrez de acasă și "
            "trebuie să mă reconectez de fiecare dată.",
        ),
        "fi": (
            "VPN-yhteys katkeilee",
            "Aamusta asti VPN-yhteys katkeaa muutaman minuutin välein, kun teen etätöitä "
            "kotoa, ja joudun yhdistämään uudelleen joka kerta.",
        ),
    },
    "printer": {
        "en": (
            "Printer paper jam",
            "The printer on the third floor has paper stuck inside and shows a jam error; "
            "nobody can print.",
        ),
        "ro": (
            "Hârtie blocată în imprimantă",
            "Imprimanta de la etajul trei are hârtie blocată înăuntru și afișează o eroare; "
            "nimeni nu poate tipări.",
        ),
        "fi": (
            "Paperitukos tulostimessa",
            "Kolmannen kerroksen tulostimeen on juuttunut paperia ja se näyttää "
            "tukosvirheen; kukaan ei pysty tulostamaan.",
        ),
    },
    "password": {
        "en": (
            "Forgot my password",
            "I forgot my password and my account is locked after too many attempts. Please "
            "reset it.",
        ),
        "ro": (
            "Am uitat parola",
            "Mi-am uitat parola și contul meu este blocat după prea multe încercări. Vă rog "
            "să o resetați.",
        ),
        "fi": (
            "Unohdin salasanani",
            "Unohdin salasanani ja tunnukseni lukittui liian monen yrityksen jälkeen. "
            "Voisitteko nollata sen?",
        ),
    },
    "outlook": {
        "en": (
            "Outlook not syncing",
            "Outlook does not receive new email any more; the inbox has not updated since "
            "yesterday.",
        ),
        "ro": (
            "Outlook nu se sincronizează",
            "Outlook nu mai primește e-mailuri noi; căsuța poștală nu s-a actualizat de ieri.",
        ),
        "fi": (
            "Outlook ei synkronoi",
            "Outlookiin ei tule enää uusia sähköposteja; saapuneet-kansio ei ole "
            "päivittynyt eilisen jälkeen.",
        ),
    },
    "boot": {
        "en": (
            "Laptop won't boot",
            "My laptop does not start: the screen stays black after I press the power button.",
        ),
        "ro": (
            "Laptopul nu pornește",
            "Laptopul meu nu pornește: ecranul rămâne negru după ce apăs butonul de pornire.",
        ),
        "fi": (
            "Kannettava ei käynnisty",
            "Kannettava tietokoneeni ei käynnisty: näyttö pysyy mustana, kun painan virtanappia.",
        ),
    },
    "folder": {
        "en": (
            "Access to the shared folder",
            "I need access to the finance team's shared folder on the network drive for the "
            "budget work.",
        ),
        "ro": (
            "Acces la folderul partajat",
            "Am nevoie de acces la folderul partajat al echipei financiare de pe unitatea de "
            "rețea, pentru bugetul anual.",
        ),
        "fi": (
            "Pääsy jaettuun kansioon",
            "Tarvitsen käyttöoikeuden talousosaston jaettuun kansioon verkkolevyllä "
            "budjettityötä varten.",
        ),
    },
}

# issue -> (language, title, body): one article per issue, in one language.
ARTICLES: dict[str, tuple[str, str, str]] = {
    "vpn": (
        "en",
        "Fixing VPN connections that keep dropping",
        "If the VPN disconnects again and again, switch the client to TCP in its settings, "
        "check that your home Wi-Fi is stable, and install the latest VPN client version.",
    ),
    "printer": (
        "en",
        "Clearing a paper jam",
        "Open the front cover of the printer, pull the stuck sheet out slowly with both "
        "hands, close the cover and wait for the printer to restart.",
    ),
    "password": (
        "ro",
        "Resetarea parolei",
        "Dacă ți-ai uitat parola sau contul este blocat, deschide pagina de resetare a "
        "parolei, introdu adresa de e-mail și urmează legătura primită.",
    ),
    "outlook": (
        "en",
        "Outlook does not sync new mail",
        "When Outlook stops receiving mail, check that it is not in offline mode, then "
        "restart it and rebuild the mail profile if it still does not sync.",
    ),
    "boot": (
        "fi",
        "Kun kannettava ei käynnisty",
        "Jos kannettava ei käynnisty, kytke laturi, pidä virtanappia pohjassa 15 sekuntia "
        "ja yritä uudelleen. Jos näyttö pysyy mustana, tuo kone huoltoon.",
    ),
    "folder": (
        "en",
        "Requesting access to a shared folder",
        "Access to a team's shared network folder is granted by the folder's owner: request "
        "it in the portal, name the folder and the reason, and the owner approves it.",
    ),
}

# Questions asked in a language no article of the issue is written in.
QUESTIONS: dict[str, tuple[str, str]] = {
    "vpn": ("fi", "VPN katkeaa koko ajan kotona"),
    "printer": ("ro", "imprimanta are hârtie blocată"),
    "password": ("fi", "unohtunut salasana, tunnus lukossa"),
    "outlook": ("ro", "Outlook nu primește e-mailuri noi"),
    "boot": ("en", "laptop screen stays black and won't start"),
    "folder": ("ro", "cum obțin acces la un folder partajat"),
}

# Asked in Finnish, the folder question ranks the Finnish article (the laptop that won't
# start) above the English one that answers it: the pull of the same language is not all
# removed by centring (docs/assist.md, Semantic search). Kept here as the known miss.
KNOWN_MISS = ("folder", "fi", "miten saan oikeuden jaettuun kansioon")

# Finnish consonant gradation: the article says "pyynnöt" (requests), the question
# "pyyntö" (request); Snowball's Finnish stemmer gives them different stems.
GRADATION_ARTICLE = (
    "fi",
    "Hankintapyynnöt",
    "Kaikki hankintapyynnöt käsitellään viikon kuluessa; liitä mukaan tarjous ja kustannuspaikka.",
)
GRADATION_QUESTION = "hankintapyyntö"
