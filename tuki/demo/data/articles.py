"""The demo knowledge base's articles (pure data; knowledge.py writes them through the
knowledge services): English texts in Markdown, most with Romanian and Finnish translations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuki.knowledge.models import Audience, State

# slug, name, parent slug
CATEGORIES = [
    ("accounts", "Accounts and sign-in", None),
    ("network", "Network and VPN", None),
    ("email", "Email and calendar", None),
    ("teams", "Teams and meetings", None),
    ("devices", "Laptops and devices", None),
    ("printing", "Printing", "devices"),
    ("software", "Software and access", None),
    ("security", "Security", None),
]


@dataclass
class Doc:
    key: str
    category: str
    texts: dict[str, tuple[str, str]]  # language → (title, Markdown)
    faq: bool = False
    audience: str = Audience.PUBLIC
    state: str = State.PUBLISHED
    tags: list[str] = field(default_factory=list)
    ticket_category: tuple[str, str] | None = None  # the demo's ticket category it answers
    review_in_days: int = 180


DOCS: list[Doc] = [
    Doc(
        "password",
        "accounts",
        faq=True,
        tags=["password", "account"],
        ticket_category=("Accounts", "Password reset"),
        review_in_days=-5,
        texts={
            "en": (
                "Reset your password",
                "You can reset your password yourself, at any time, if you registered for multi-factor authentication (MFA).\n\n1. Go to **https://passwordreset.tuki.example**.\n2. Enter your work email address and the characters in the picture.\n3. Confirm with the Authenticator app or a text message.\n4. Choose a new password: at least **14 characters**, not one of your last 10.\n5. Sign in again on your laptop and phone with the new password.\n\n> On a Windows laptop outside the office, connect to the VPN first so that the laptop learns the new password.\n\nStill locked out? Call the service desk at +40 21 312 0100.",
            ),
            "ro": (
                "Resetarea parolei",
                "Vă puteți reseta singur parola, oricând, dacă v-ați înregistrat pentru autentificarea multifactor (MFA).\n\n1. Deschideți **https://passwordreset.tuki.example**.\n2. Introduceți adresa de e-mail de serviciu și caracterele din imagine.\n3. Confirmați cu aplicația Authenticator sau prin SMS.\n4. Alegeți o parolă nouă: cel puțin **14 caractere**, diferită de ultimele 10.\n5. Autentificați-vă din nou pe laptop și pe telefon cu parola nouă.\n\n> Pe un laptop Windows aflat în afara biroului, conectați-vă mai întâi la VPN, ca laptopul să afle parola nouă.\n\nTot nu puteți intra? Sunați la service desk: +40 21 312 0100.",
            ),
            "fi": (
                "Salasanan vaihtaminen",
                "Voit vaihtaa salasanasi itse milloin tahansa, jos olet rekisteröitynyt monivaiheiseen tunnistautumiseen (MFA).\n\n1. Avaa **https://passwordreset.tuki.example**.\n2. Kirjoita työsähköpostiosoitteesi ja kuvan merkit.\n3. Vahvista Authenticator-sovelluksella tai tekstiviestillä.\n4. Valitse uusi salasana: vähintään **14 merkkiä**, ei mikään 10 edellisestä.\n5. Kirjaudu uudelleen kannettavalle ja puhelimeen uudella salasanalla.\n\n> Jos Windows-kannettava on toimiston ulkopuolella, avaa ensin VPN-yhteys, jotta kone saa uuden salasanan.\n\nEtkö pääse vieläkään sisään? Soita palvelupisteeseen: +358 9 4242 0100.",
            ),
        },
    ),
    Doc(
        "mfa",
        "accounts",
        faq=True,
        tags=["mfa", "security"],
        texts={
            "en": (
                "Set up multi-factor authentication (MFA)",
                "MFA protects your account even if someone learns your password.\n\n1. Install **Microsoft Authenticator** from the App Store or Google Play.\n2. On your computer, open **https://aka.ms/mfasetup** and sign in.\n3. Choose **Add sign-in method → Authenticator app** and scan the QR code with the app.\n4. Approve the test notification on your phone.\n5. Add your mobile number as a second method, in case you lose the phone.\n\nFrom now on, new devices and sign-ins from outside the office ask for approval in the app.",
            ),
            "ro": (
                "Configurarea autentificării multifactor (MFA)",
                "MFA vă protejează contul chiar dacă cineva vă află parola.\n\n1. Instalați **Microsoft Authenticator** din App Store sau Google Play.\n2. Pe calculator, deschideți **https://aka.ms/mfasetup** și autentificați-vă.\n3. Alegeți **Adăugare metodă de conectare → Aplicație Authenticator** și scanați codul QR cu aplicația.\n4. Aprobați notificarea de test pe telefon.\n5. Adăugați și numărul de mobil ca a doua metodă, pentru cazul în care pierdeți telefonul.\n\nDe acum, dispozitivele noi și conectările din afara biroului cer aprobare în aplicație.",
            ),
            "fi": (
                "Monivaiheisen tunnistautumisen (MFA) käyttöönotto",
                "MFA suojaa tiliäsi, vaikka joku saisi salasanasi selville.\n\n1. Asenna **Microsoft Authenticator** App Storesta tai Google Playsta.\n2. Avaa tietokoneella **https://aka.ms/mfasetup** ja kirjaudu sisään.\n3. Valitse **Lisää kirjautumistapa → Authenticator-sovellus** ja lue QR-koodi sovelluksella.\n4. Hyväksy testi-ilmoitus puhelimessa.\n5. Lisää toiseksi tavaksi matkapuhelinnumerosi siltä varalta, että puhelin katoaa.\n\nJatkossa uudet laitteet ja toimiston ulkopuoliset kirjautumiset pyytävät hyväksynnän sovelluksessa.",
            ),
        },
    ),
    Doc(
        "mfa-phone",
        "accounts",
        tags=["mfa", "phone"],
        texts={
            "en": (
                "New or lost phone: move your MFA",
                "**New phone, old one still working:** open https://aka.ms/mfasetup, add the Authenticator app on the new phone, then delete the old phone from the list.\n\n**Phone lost or wiped:** sign in with your text-message method and do the same. If you have no other method, call the service desk: after checking who you are, the desk resets your MFA registration and you set it up again within 24 hours.\n\nA lost phone with company email on it must also be reported as a security incident.",
            ),
            "ro": (
                "Telefon nou sau pierdut: mutarea MFA",
                "**Telefon nou, cel vechi încă funcționează:** deschideți https://aka.ms/mfasetup, adăugați aplicația Authenticator pe telefonul nou, apoi ștergeți telefonul vechi din listă.\n\n**Telefon pierdut sau resetat:** conectați-vă prin SMS și procedați la fel. Dacă nu aveți altă metodă, sunați la service desk: după verificarea identității, vă resetăm înregistrarea MFA și o refaceți în 24 de ore.\n\nUn telefon pierdut pe care era e-mailul companiei trebuie raportat și ca incident de securitate.",
            ),
            "fi": (
                "Uusi tai kadonnut puhelin: MFA:n siirto",
                "**Uusi puhelin, vanha toimii vielä:** avaa https://aka.ms/mfasetup, lisää Authenticator uuteen puhelimeen ja poista vanha puhelin listalta.\n\n**Puhelin kadonnut tai tyhjennetty:** kirjaudu tekstiviestillä ja toimi samoin. Jos sinulla ei ole muuta tapaa, soita palvelupisteeseen: henkilöllisyytesi tarkistamisen jälkeen MFA-rekisteröintisi nollataan ja otat sen uudelleen käyttöön 24 tunnin kuluessa.\n\nKadonnut puhelin, jossa on työsähköposti, on ilmoitettava myös tietoturvapoikkeamana.",
            ),
        },
    ),
    Doc(
        "locked",
        "accounts",
        tags=["account", "password"],
        ticket_category=("Accounts", "Password reset"),
        texts={
            "en": (
                "Your account is locked",
                "After **10 wrong passwords** in a row your account locks for 30 minutes. It unlocks by itself.\n\nCommon causes:\n\n- an old password saved on your phone's mail app or a mapped drive keeps trying;\n- Caps Lock or the wrong keyboard layout (Finnish, Romanian, English).\n\nAfter 30 minutes, update the password everywhere it is saved. If it locks again, tell the service desk which devices you use.",
            ),
            "ro": (
                "Contul este blocat",
                "După **10 parole greșite** la rând, contul se blochează 30 de minute și se deblochează singur.\n\nCauze frecvente:\n\n- o parolă veche salvată în aplicația de e-mail a telefonului sau pe o unitate de rețea mapată încearcă mereu;\n- Caps Lock sau altă tastatură activă (finlandeză, română, engleză).\n\nDupă 30 de minute, actualizați parola peste tot unde este salvată. Dacă se blochează din nou, spuneți service desk-ului ce dispozitive folosiți.",
            ),
            "fi": (
                "Tunnuksesi on lukittu",
                "**10 väärän salasanan** jälkeen tunnus lukittuu 30 minuutiksi ja aukeaa itsestään.\n\nYleisiä syitä:\n\n- vanha salasana on tallennettu puhelimen sähköpostisovellukseen tai verkkolevylle ja yrittää yhä uudelleen;\n- Caps Lock tai väärä näppäimistöasettelu (suomi, romania, englanti).\n\nPäivitä 30 minuutin jälkeen salasana kaikkialle, minne se on tallennettu. Jos tunnus lukittuu uudelleen, kerro palvelupisteelle, mitä laitteita käytät.",
            ),
        },
    ),
    Doc(
        "vpn",
        "network",
        faq=True,
        tags=["vpn", "remote"],
        ticket_category=("Network", "VPN"),
        texts={
            "en": (
                "Connect to the VPN",
                "You need the VPN to reach internal systems (ERP, file shares, intranet) from home or travelling.\n\n1. Click the **GlobalProtect** globe icon next to the clock.\n2. Portal: `vpn.tuki.example`, then **Connect**.\n3. Sign in with your work account and approve the MFA request.\n4. The icon shows a shield when you are connected.\n\n**Does not connect?**\n\n- Check that ordinary websites open (hotel and train Wi-Fi often need a login page first).\n- Disconnect, wait ten seconds, connect again.\n- Restart the laptop: half of all VPN problems end here.\n\nIf it still fails, send the service desk a screenshot of the error.",
            ),
            "ro": (
                "Conectarea la VPN",
                "Aveți nevoie de VPN pentru a ajunge la sistemele interne (ERP, foldere partajate, intranet) de acasă sau în deplasare.\n\n1. Faceți clic pe pictograma glob **GlobalProtect** de lângă ceas.\n2. Portal: `vpn.tuki.example`, apoi **Connect**.\n3. Autentificați-vă cu contul de serviciu și aprobați cererea MFA.\n4. Pictograma arată un scut când sunteți conectat.\n\n**Nu se conectează?**\n\n- Verificați că se deschid site-uri obișnuite (rețelele Wi-Fi din hoteluri și trenuri cer adesea o pagină de autentificare).\n- Deconectați-vă, așteptați zece secunde, conectați-vă din nou.\n- Reporniți laptopul: jumătate din problemele VPN se termină aici.\n\nDacă tot nu merge, trimiteți service desk-ului o captură de ecran cu eroarea.",
            ),
            "fi": (
                "VPN-yhteyden avaaminen",
                "Tarvitset VPN:n, kun käytät sisäisiä järjestelmiä (ERP, verkkolevyt, intranet) kotoa tai matkoilta.\n\n1. Napsauta kellon vieressä olevaa **GlobalProtect**-maapallokuvaketta.\n2. Portaali: `vpn.tuki.example`, sitten **Connect**.\n3. Kirjaudu työtunnuksellasi ja hyväksy MFA-pyyntö.\n4. Kuvakkeessa näkyy kilpi, kun yhteys on auki.\n\n**Yhteys ei aukea?**\n\n- Tarkista, että tavalliset verkkosivut aukeavat (hotellien ja junien Wi-Fi vaatii usein ensin kirjautumissivun).\n- Katkaise yhteys, odota kymmenen sekuntia ja yhdistä uudelleen.\n- Käynnistä kannettava uudelleen: puolet VPN-ongelmista ratkeaa tähän.\n\nJos yhteys ei vieläkään toimi, lähetä palvelupisteelle kuvakaappaus virheilmoituksesta.",
            ),
        },
    ),
    Doc(
        "vpn-sites",
        "network",
        tags=["vpn", "dns"],
        ticket_category=("Network", "VPN"),
        texts={
            "en": (
                "VPN is connected but internal sites do not open",
                "1. Open a command prompt and run `ipconfig /flushdns`.\n2. Check the address: internal sites end in **.tuki.example**, not .com.\n3. Turn off any other VPN or proxy (some home routers and antivirus products add one).\n4. If only one system fails, it may be down: check the status page on the intranet or ask the service desk.\n\nTell us the exact address you tried and the time, so the network team can find it in the logs.",
            ),
            "ro": (
                "VPN-ul este conectat, dar site-urile interne nu se deschid",
                "1. Deschideți un command prompt și rulați `ipconfig /flushdns`.\n2. Verificați adresa: site-urile interne se termină în **.tuki.example**, nu în .com.\n3. Opriți orice alt VPN sau proxy (unele routere de acasă și antivirusuri adaugă unul).\n4. Dacă doar un sistem nu merge, poate fi căzut: verificați pagina de stare din intranet sau întrebați service desk-ul.\n\nSpuneți-ne adresa exactă și ora, ca echipa de rețea să o găsească în jurnale.",
            ),
            "fi": (
                "VPN on yhdistetty, mutta sisäiset sivut eivät aukea",
                "1. Avaa komentokehote ja suorita `ipconfig /flushdns`.\n2. Tarkista osoite: sisäiset sivut päättyvät **.tuki.example**, eivät .com.\n3. Poista käytöstä muut VPN:t ja välityspalvelimet (jotkin kotireitittimet ja virustorjunnat lisäävät sellaisen).\n4. Jos vain yksi järjestelmä ei toimi, se voi olla alhaalla: katso tilasivu intranetistä tai kysy palvelupisteeltä.\n\nKerro meille tarkka osoite ja kellonaika, jotta verkkotiimi löytää sen lokeista.",
            ),
        },
    ),
    Doc(
        "wifi",
        "network",
        faq=True,
        tags=["wifi"],
        ticket_category=("Network", "Wi-Fi"),
        texts={
            "en": (
                "Connect to the office Wi-Fi",
                "Company laptops join **TUKI-CORP** by themselves in every office. Phones and personal devices use **TUKI-STAFF**:\n\n1. Choose **TUKI-STAFF**.\n2. Sign in with your work email and password (accept the certificate `radius.tuki.example`).\n\nIf the laptop does not join TUKI-CORP, plug in a network cable once and restart: it renews its certificate.",
            ),
            "ro": (
                "Conectarea la rețeaua Wi-Fi din birou",
                "Laptopurile companiei se conectează singure la **TUKI-CORP** în toate birourile. Telefoanele și dispozitivele personale folosesc **TUKI-STAFF**:\n\n1. Alegeți **TUKI-STAFF**.\n2. Autentificați-vă cu e-mailul și parola de serviciu (acceptați certificatul `radius.tuki.example`).\n\nDacă laptopul nu se conectează la TUKI-CORP, conectați o dată un cablu de rețea și reporniți: își reînnoiește certificatul.",
            ),
            "fi": (
                "Toimiston Wi-Fi-verkkoon yhdistäminen",
                "Yrityksen kannettavat liittyvät **TUKI-CORP**-verkkoon itsestään kaikissa toimistoissa. Puhelimet ja omat laitteet käyttävät **TUKI-STAFF**-verkkoa:\n\n1. Valitse **TUKI-STAFF**.\n2. Kirjaudu työsähköpostilla ja salasanalla (hyväksy varmenne `radius.tuki.example`).\n\nJos kannettava ei liity TUKI-CORP-verkkoon, kytke kerran verkkokaapeli ja käynnistä kone uudelleen: se uusii varmenteensa.",
            ),
        },
    ),
    Doc(
        "guest-wifi",
        "network",
        tags=["wifi", "visitors"],
        texts={
            "en": (
                "Guest Wi-Fi for visitors",
                "Visitors use **TUKI-GUEST**. Reception prints a code valid for one day; for longer visits ask the service desk for a code valid up to 30 days. Guest Wi-Fi reaches the internet only, never internal systems.",
            ),
            "ro": (
                "Wi-Fi pentru vizitatori",
                "Vizitatorii folosesc **TUKI-GUEST**. Recepția tipărește un cod valabil o zi; pentru vizite mai lungi, cereți service desk-ului un cod valabil până la 30 de zile. Rețeaua pentru oaspeți ajunge doar la internet, niciodată la sistemele interne.",
            ),
            "fi": (
                "Vierasverkko vierailijoille",
                "Vierailijat käyttävät **TUKI-GUEST**-verkkoa. Aula tulostaa päivän voimassa olevan koodin; pidempiä vierailuja varten pyydä palvelupisteeltä enintään 30 päivää voimassa oleva koodi. Vierasverkosta pääsee vain internetiin, ei koskaan sisäisiin järjestelmiin.",
            ),
        },
    ),
    Doc(
        "outlook-new",
        "email",
        tags=["outlook", "email"],
        ticket_category=("Applications", "Email"),
        texts={
            "en": (
                "Set up Outlook on a new computer",
                "1. Open **Outlook**. It finds your account by itself on a company laptop; click **Connect**.\n2. Approve the MFA request.\n3. Wait: the first download of your mailbox can take an hour. Mail from the last 12 months is kept offline, older mail stays on the server and opens when you click it.\n4. Your signature is not copied: set it in **File → Options → Mail → Signatures**.",
            ),
            "ro": (
                "Configurarea Outlook pe un calculator nou",
                "1. Deschideți **Outlook**. Pe un laptop al companiei găsește singur contul; faceți clic pe **Connect**.\n2. Aprobați cererea MFA.\n3. Așteptați: prima descărcare a căsuței poate dura o oră. E-mailurile din ultimele 12 luni se păstrează offline, cele mai vechi rămân pe server și se deschid la clic.\n4. Semnătura nu se copiază: setați-o în **File → Options → Mail → Signatures**.",
            ),
            "fi": (
                "Outlookin käyttöönotto uudella tietokoneella",
                "1. Avaa **Outlook**. Yrityksen kannettavalla se löytää tilisi itse; napsauta **Connect**.\n2. Hyväksy MFA-pyyntö.\n3. Odota: postilaatikon ensimmäinen lataus voi kestää tunnin. Viimeisen 12 kuukauden viestit säilytetään koneella, vanhemmat jäävät palvelimelle ja aukeavat napsauttamalla.\n4. Allekirjoitus ei siirry: aseta se kohdassa **File → Options → Mail → Signatures**.",
            ),
        },
    ),
    Doc(
        "outlook-password",
        "email",
        tags=["outlook", "password"],
        ticket_category=("Applications", "Email"),
        texts={
            "en": (
                "Outlook keeps asking for your password",
                "This usually follows a password change.\n\n1. Close Outlook.\n2. Open **Credential Manager** from the Start menu → **Windows Credentials**.\n3. Remove every entry that starts with `MicrosoftOffice` or `msteams`.\n4. Start Outlook and sign in once.\n\nOn a Mac: open **Keychain Access**, search for *Exchange* and delete the entries.",
            ),
            "ro": (
                "Outlook cere mereu parola",
                "De obicei apare după o schimbare de parolă.\n\n1. Închideți Outlook.\n2. Deschideți **Credential Manager** din meniul Start → **Windows Credentials**.\n3. Ștergeți toate intrările care încep cu `MicrosoftOffice` sau `msteams`.\n4. Porniți Outlook și autentificați-vă o dată.\n\nPe Mac: deschideți **Keychain Access**, căutați *Exchange* și ștergeți intrările.",
            ),
            "fi": (
                "Outlook kysyy salasanaa yhä uudelleen",
                "Tämä johtuu yleensä salasanan vaihdosta.\n\n1. Sulje Outlook.\n2. Avaa Käynnistä-valikosta **Tunnistetietojen hallinta** → **Windows-tunnistetiedot**.\n3. Poista kaikki kohdat, jotka alkavat `MicrosoftOffice` tai `msteams`.\n4. Käynnistä Outlook ja kirjaudu kerran.\n\nMacissa: avaa **Avainnippu**, hae *Exchange* ja poista kohdat.",
            ),
        },
    ),
    Doc(
        "out-of-office",
        "email",
        faq=True,
        tags=["outlook", "email"],
        texts={
            "en": (
                "Set an out-of-office reply",
                "1. In Outlook: **File → Automatic Replies** (on the web: **Settings → Mail → Automatic replies**).\n2. Choose **Send automatic replies** and set the start and end time.\n3. Write one reply for colleagues and one for people outside the company.\n\nName a colleague who covers for you, not your mobile number.",
            ),
            "ro": (
                "Setarea răspunsului automat (absent de la birou)",
                "1. În Outlook: **File → Automatic Replies** (pe web: **Settings → Mail → Automatic replies**).\n2. Alegeți **Send automatic replies** și setați ora de început și de sfârșit.\n3. Scrieți un răspuns pentru colegi și unul pentru persoanele din afara companiei.\n\nIndicați un coleg care vă înlocuiește, nu numărul de mobil.",
            ),
            "fi": (
                "Poissaoloviestin asettaminen",
                "1. Outlookissa: **File → Automatic Replies** (verkossa: **Settings → Mail → Automatic replies**).\n2. Valitse **Send automatic replies** ja aseta alkamis- ja päättymisaika.\n3. Kirjoita yksi vastaus työkavereille ja toinen yrityksen ulkopuolisille.\n\nMainitse sijaisesi, älä matkapuhelinnumeroasi.",
            ),
        },
    ),
    Doc(
        "share-calendar",
        "email",
        tags=["outlook", "calendar"],
        texts={
            "en": (
                "Share your calendar or a mailbox",
                "**Calendar:** right-click your calendar → **Sharing Permissions** → **Add**, pick the colleague and choose *Can view when I'm busy*, *Can view all details* or *Can edit*.\n\n**Shared mailbox** (for example `sales@`): access is granted by its owner. Ask through the portal with *I need something → Access request* and name the mailbox; it appears in Outlook by itself within an hour.",
            ),
            "ro": (
                "Partajarea calendarului sau a unei căsuțe",
                "**Calendar:** clic dreapta pe calendar → **Sharing Permissions** → **Add**, alegeți colegul și nivelul *Can view when I'm busy*, *Can view all details* sau *Can edit*.\n\n**Căsuță partajată** (de exemplu `sales@`): accesul îl aprobă proprietarul ei. Cereți-l din portal cu *Am nevoie de ceva → Cerere de acces* și numiți căsuța; apare singură în Outlook în decurs de o oră.",
            ),
        },
    ),
    Doc(
        "mailbox-full",
        "email",
        tags=["outlook", "email", "storage"],
        review_in_days=-20,
        texts={
            "en": (
                "Mailbox full: archive old mail",
                "Mailboxes hold 50 GB. When yours is nearly full, Outlook warns you and stops sending at 49.5 GB.\n\n1. Empty **Deleted Items** and **Junk Email**.\n2. Search for `size:>10MB` and delete or save large attachments to OneDrive.\n3. Turn on the **online archive**: mail older than two years moves there by itself. Ask the service desk to enable it.",
            ),
            "fi": (
                "Postilaatikko täynnä: vanhojen viestien arkistointi",
                "Postilaatikon koko on 50 Gt. Kun laatikko on lähes täynnä, Outlook varoittaa ja lopettaa lähettämisen 49,5 Gt:n kohdalla.\n\n1. Tyhjennä **Poistetut** ja **Roskaposti**.\n2. Hae `size:>10MB` ja poista suuret liitteet tai tallenna ne OneDriveen.\n3. Ota käyttöön **verkkoarkisto**: yli kaksi vuotta vanhat viestit siirtyvät sinne itsestään. Pyydä palvelupistettä ottamaan se käyttöön.",
            ),
        },
    ),
    Doc(
        "teams-audio",
        "teams",
        faq=True,
        tags=["teams", "audio", "camera"],
        texts={
            "en": (
                "Teams: others cannot hear or see you",
                "1. In the meeting, click **More → Settings → Device settings** and pick the right microphone, speaker and camera (a headset often appears twice).\n2. Check the mute switch on the headset cable.\n3. Windows: **Settings → Privacy → Microphone/Camera** must allow desktop apps.\n4. Close other apps that use the camera (Zoom, the Camera app).\n5. Still nothing? Sign out of Teams, quit it from the tray and start it again.",
            ),
            "ro": (
                "Teams: ceilalți nu vă aud sau nu vă văd",
                "1. În ședință, faceți clic pe **More → Settings → Device settings** și alegeți microfonul, difuzorul și camera corecte (o cască apare adesea de două ori).\n2. Verificați comutatorul de mute de pe cablul căștii.\n3. Windows: **Settings → Privacy → Microphone/Camera** trebuie să permită aplicațiile desktop.\n4. Închideți alte aplicații care folosesc camera (Zoom, aplicația Camera).\n5. Tot nimic? Deconectați-vă din Teams, închideți-l din bara de sistem și porniți-l din nou.",
            ),
            "fi": (
                "Teams: muut eivät kuule tai näe sinua",
                "1. Valitse kokouksessa **More → Settings → Device settings** ja oikea mikrofoni, kaiutin ja kamera (kuulokkeet näkyvät usein kahdesti).\n2. Tarkista kuulokejohdon mykistyskytkin.\n3. Windows: **Asetukset → Tietosuoja → Mikrofoni/Kamera** -kohdan on sallittava työpöytäsovellukset.\n4. Sulje muut kameraa käyttävät sovellukset (Zoom, Kamera-sovellus).\n5. Ei vieläkään? Kirjaudu ulos Teamsista, sulje se ilmaisinalueelta ja käynnistä uudelleen.",
            ),
        },
    ),
    Doc(
        "teams-room",
        "teams",
        tags=["teams", "meeting room"],
        texts={
            "en": (
                "Teams: join a meeting from a meeting room",
                "Invite the room when you book the meeting (rooms are called *HEL-3-Sauna*, *BUC-2-Carpați*...). The meeting then appears on the room's touch panel: press **Join**.\n\nTo share your screen, join the meeting from your laptop **with audio off** and press **Share**. Do not plug in the HDMI cable and join at the same time: the room will echo.",
            ),
            "ro": (
                "Teams: intrarea în ședință dintr-o sală",
                "Invitați sala când programați ședința (sălile se numesc *HEL-3-Sauna*, *BUC-2-Carpați*...). Ședința apare apoi pe panoul tactil al sălii: apăsați **Join**.\n\nPentru a vă partaja ecranul, intrați în ședință de pe laptop **cu sunetul oprit** și apăsați **Share**. Nu conectați cablul HDMI și nu intrați în ședință în același timp: sala va face ecou.",
            ),
            "fi": (
                "Teams: kokoukseen liittyminen neuvotteluhuoneesta",
                "Kutsu huone, kun varaat kokouksen (huoneiden nimet ovat *HEL-3-Sauna*, *BUC-2-Carpați*...). Kokous näkyy silloin huoneen kosketuspaneelissa: paina **Join**.\n\nJaa näyttösi liittymällä kokoukseen kannettavalta **ääni pois päältä** ja paina **Share**. Älä kytke HDMI-kaapelia ja liity samaan aikaan: huone kaikuu.",
            ),
        },
    ),
    Doc(
        "teams-team",
        "teams",
        tags=["teams"],
        texts={
            "en": (
                "Teams: create a team or a channel",
                "Anyone may create a **channel** in a team they belong to. New **teams** are requested in the portal (*I need something*), with a name, two owners and whether guests from outside may join; the service desk creates them within a working day so that every team has an owner who answers for its content.",
            ),
            "ro": (
                "Teams: crearea unei echipe sau a unui canal",
                "Oricine poate crea un **canal** într-o echipă din care face parte. **Echipele** noi se cer din portal (*Am nevoie de ceva*), cu un nume, doi proprietari și dacă pot intra invitați din afară; service desk-ul le creează într-o zi lucrătoare, ca fiecare echipă să aibă un proprietar care răspunde de conținut.",
            ),
            "fi": (
                "Teams: tiimin tai kanavan luominen",
                "Kuka tahansa voi luoda **kanavan** tiimiin, johon kuuluu. Uudet **tiimit** pyydetään portaalista (*Tarvitsen jotain*): nimi, kaksi omistajaa ja saako ulkopuolisia vieraita kutsua. Palvelupiste luo tiimin yhden työpäivän kuluessa, jotta jokaisella tiimillä on sisällöstä vastaava omistaja.",
            ),
        },
    ),
    Doc(
        "printer-add",
        "printing",
        faq=True,
        tags=["printer"],
        ticket_category=("Workplace", "Printer"),
        texts={
            "en": (
                "Add a network printer",
                "Every office has one print queue, **FollowMe**, that prints on any printer where you show your badge.\n\n1. **Windows:** Start → **Printers & scanners** → **Add device** → choose *FollowMe on print.tuki.example*.\n2. **Mac:** System Settings → **Printers & Scanners** → **+** → IP tab, address `print.tuki.example`, protocol *LPD*, queue `followme`.\n3. Print a test page and collect it at any printer with your badge.",
            ),
            "ro": (
                "Adăugarea unei imprimante de rețea",
                "Fiecare birou are o singură coadă de tipărire, **FollowMe**, care tipărește la orice imprimantă unde vă prezentați ecusonul.\n\n1. **Windows:** Start → **Printers & scanners** → **Add device** → alegeți *FollowMe on print.tuki.example*.\n2. **Mac:** System Settings → **Printers & Scanners** → **+** → fila IP, adresa `print.tuki.example`, protocol *LPD*, coada `followme`.\n3. Tipăriți o pagină de test și ridicați-o de la orice imprimantă cu ecusonul.",
            ),
            "fi": (
                "Verkkotulostimen lisääminen",
                "Jokaisessa toimistossa on yksi tulostusjono, **FollowMe**, joka tulostaa millä tahansa tulostimella, jolla näytät kulkukorttisi.\n\n1. **Windows:** Käynnistä → **Tulostimet ja skannerit** → **Lisää laite** → valitse *FollowMe on print.tuki.example*.\n2. **Mac:** Järjestelmäasetukset → **Tulostimet ja skannerit** → **+** → IP-välilehti, osoite `print.tuki.example`, protokolla *LPD*, jono `followme`.\n3. Tulosta testisivu ja hae se miltä tahansa tulostimelta kulkukortilla.",
            ),
        },
    ),
    Doc(
        "printer-offline",
        "printing",
        tags=["printer"],
        ticket_category=("Workplace", "Printer"),
        texts={
            "en": (
                "Printer offline or print jobs stuck",
                "1. Check that the job reached the queue: open **print.tuki.example/myjobs**. Jobs wait there for 24 hours.\n2. If your laptop shows the printer *offline*, remove FollowMe and add it again (see *Add a network printer*).\n3. If the printer itself shows an error (paper jam, toner), tell reception or log a request with the printer's number from its sticker.\n\nThe printers are cleaned and serviced by the supplier; please do not open them beyond the paper trays.",
            ),
            "ro": (
                "Imprimanta apare offline sau lucrările rămân blocate",
                "1. Verificați că lucrarea a ajuns în coadă: deschideți **print.tuki.example/myjobs**. Lucrările așteaptă acolo 24 de ore.\n2. Dacă laptopul arată imprimanta *offline*, ștergeți FollowMe și adăugați-o din nou (vezi *Adăugarea unei imprimante de rețea*).\n3. Dacă imprimanta însăși arată o eroare (hârtie blocată, toner), anunțați recepția sau deschideți o cerere cu numărul imprimantei de pe eticheta ei.\n\nImprimantele sunt întreținute de furnizor; vă rugăm să nu le deschideți dincolo de tăvile de hârtie.",
            ),
            "fi": (
                "Tulostin ei ole yhteydessä tai tulostustyöt jumissa",
                "1. Tarkista, että työ on jonossa: avaa **print.tuki.example/myjobs**. Työt odottavat siellä 24 tuntia.\n2. Jos kannettava näyttää tulostimen *offline*-tilassa, poista FollowMe ja lisää se uudelleen (katso *Verkkotulostimen lisääminen*).\n3. Jos tulostimessa itsessään on virhe (paperitukos, väriaine), kerro aulaan tai tee pyyntö tulostimen tarran numerolla.\n\nToimittaja huoltaa tulostimet; älä avaa niitä paperilokeroita pidemmälle.",
            ),
        },
    ),
    Doc(
        "secure-print",
        "printing",
        tags=["printer", "badge"],
        texts={
            "en": (
                "Secure print: release your job with your badge",
                "Hold your badge on the reader of any printer. Your waiting jobs appear: press **Print all**, or pick one. Jobs not collected within 24 hours are deleted, so confidential pages never lie in the tray.\n\nNew badge or the printer does not know it? Press **Register**, sign in once with your work account, then hold the badge again.",
            ),
            "ro": (
                "Tipărire securizată: eliberarea lucrării cu ecusonul",
                "Țineți ecusonul pe cititorul oricărei imprimante. Apar lucrările care așteaptă: apăsați **Print all** sau alegeți una. Lucrările neridicate în 24 de ore se șterg, ca paginile confidențiale să nu stea în tavă.\n\nEcuson nou sau imprimanta nu îl recunoaște? Apăsați **Register**, autentificați-vă o dată cu contul de serviciu, apoi țineți din nou ecusonul.",
            ),
            "fi": (
                "Suojattu tulostus: vapauta työ kulkukortilla",
                "Pidä kulkukorttia minkä tahansa tulostimen lukijalla. Odottavat työsi tulevat näkyviin: paina **Print all** tai valitse yksi. Työt, joita ei haeta 24 tunnissa, poistetaan, joten luottamukselliset sivut eivät jää lokeroon.\n\nUusi kortti tai tulostin ei tunnista sitä? Paina **Register**, kirjaudu kerran työtunnuksella ja pidä korttia uudelleen lukijalla.",
            ),
        },
    ),
    Doc(
        "new-laptop",
        "devices",
        faq=True,
        tags=["laptop", "request"],
        ticket_category=("Workplace", "Laptop"),
        texts={
            "en": (
                "Request a new laptop",
                'Laptops are replaced every **four years**, or earlier when broken.\n\n1. In the portal choose **New request → I need something**, category *Laptop*.\n2. Say whether you need a standard laptop (14", 16 GB) or a power laptop (16", 32 GB, for developers and designers; your manager approves it).\n3. The service desk prepares it in about five working days and books a handover: bring the old laptop and its charger.\n\nFiles in OneDrive and Teams move by themselves; save anything on the desktop to OneDrive first.',
            ),
            "ro": (
                "Solicitarea unui laptop nou",
                'Laptopurile se înlocuiesc la fiecare **patru ani** sau mai devreme dacă se strică.\n\n1. În portal alegeți **Cerere nouă → Am nevoie de ceva**, categoria *Laptop*.\n2. Spuneți dacă aveți nevoie de un laptop standard (14", 16 GB) sau de unul performant (16", 32 GB, pentru dezvoltatori și designeri; îl aprobă managerul).\n3. Service desk-ul îl pregătește în aproximativ cinci zile lucrătoare și programează predarea: aduceți laptopul vechi și încărcătorul.\n\nFișierele din OneDrive și Teams se mută singure; salvați mai întâi în OneDrive tot ce aveți pe desktop.',
            ),
            "fi": (
                "Uuden kannettavan tilaaminen",
                'Kannettavat vaihdetaan **neljän vuoden** välein tai aiemmin, jos kone hajoaa.\n\n1. Valitse portaalissa **Uusi pyyntö → Tarvitsen jotain**, kategoria *Laptop*.\n2. Kerro, tarvitsetko peruskoneen (14", 16 Gt) vai tehokoneen (16", 32 Gt, kehittäjille ja suunnittelijoille; esihenkilösi hyväksyy).\n3. Palvelupiste valmistelee koneen noin viidessä työpäivässä ja sopii luovutuksen: tuo vanha kone ja laturi mukanasi.\n\nOneDriven ja Teamsin tiedostot siirtyvät itsestään; tallenna työpöydän tiedostot ensin OneDriveen.',
            ),
        },
    ),
    Doc(
        "slow-laptop",
        "devices",
        tags=["laptop", "performance"],
        ticket_category=("Workplace", "Laptop"),
        texts={
            "en": (
                "Laptop running slow: first checks",
                "1. **Restart** it: choose Restart, not Shut down (Windows keeps running with Fast Startup).\n2. Let updates finish: Settings → Windows Update.\n3. Open **Task Manager** (Ctrl+Shift+Esc) and sort by Memory: browsers with 50 tabs are the usual suspect.\n4. Keep at least 20 GB free on the disk.\n\nIf it is still slow, log an incident and mention what you were doing and since when.",
            ),
            "ro": (
                "Laptopul merge greu: primele verificări",
                "1. **Reporniți-l**: alegeți Restart, nu Shut down (Windows continuă să ruleze cu Fast Startup).\n2. Lăsați actualizările să se termine: Settings → Windows Update.\n3. Deschideți **Task Manager** (Ctrl+Shift+Esc) și sortați după Memory: browserele cu 50 de file sunt suspectul obișnuit.\n4. Păstrați cel puțin 20 GB liberi pe disc.\n\nDacă merge tot greu, deschideți un incident și spuneți ce făceați și de când.",
            ),
            "fi": (
                "Kannettava on hidas: ensimmäiset tarkistukset",
                "1. **Käynnistä uudelleen**: valitse Käynnistä uudelleen, älä Sammuta (Windows jää päälle pikakäynnistyksen takia).\n2. Anna päivitysten valmistua: Asetukset → Windows Update.\n3. Avaa **Tehtävienhallinta** (Ctrl+Shift+Esc) ja lajittele muistin mukaan: selaimet, joissa on 50 välilehteä, ovat tavallinen syyllinen.\n4. Pidä levyllä vähintään 20 Gt vapaata.\n\nJos kone on yhä hidas, tee vikailmoitus ja kerro, mitä olit tekemässä ja mistä lähtien.",
            ),
        },
    ),
    Doc(
        "dock",
        "devices",
        tags=["monitor", "dock"],
        texts={
            "en": (
                "Connect a second monitor or a docking station",
                "Desks have a USB-C dock: one cable gives power, network, keyboard and both monitors.\n\n- Nothing on the screens? Unplug the USB-C cable, wait five seconds, plug it in again.\n- Wrong order of screens: **Settings → System → Display**, drag the screens to match your desk.\n- Only one screen works: the dock needs its own power supply; check that its light is on.",
            ),
            "ro": (
                "Conectarea unui al doilea monitor sau a unei stații de andocare",
                "Birourile au o stație USB-C: un singur cablu dă alimentare, rețea, tastatură și ambele monitoare.\n\n- Nimic pe ecrane? Scoateți cablul USB-C, așteptați cinci secunde, conectați-l din nou.\n- Ordinea ecranelor e greșită: **Settings → System → Display**, trageți ecranele ca pe birou.\n- Merge un singur ecran: stația are nevoie de alimentatorul ei; verificați că ledul este aprins.",
            ),
            "fi": (
                "Toisen näytön tai telakan kytkeminen",
                "Työpisteissä on USB-C-telakka: yksi kaapeli antaa virran, verkon, näppäimistön ja molemmat näytöt.\n\n- Näytöt pimeinä? Irrota USB-C-kaapeli, odota viisi sekuntia ja kytke uudelleen.\n- Näytöt väärässä järjestyksessä: **Asetukset → Järjestelmä → Näyttö**, vedä näytöt pöytäsi mukaiseen järjestykseen.\n- Vain yksi näyttö toimii: telakka tarvitsee oman virtalähteensä; tarkista, että sen valo palaa.",
            ),
        },
    ),
    Doc(
        "company-portal",
        "software",
        tags=["software", "install"],
        texts={
            "en": (
                "Install software from the Company Portal",
                "Open **Company Portal** from the Start menu (on a Mac: Self Service). Everything listed there is licensed and installs without administrator rights: click **Install**.\n\nSoftware that is not listed can be requested in the portal (*I need something → Software*); say what it is for. Licences that cost money need your manager's approval.",
            ),
            "ro": (
                "Instalarea programelor din Company Portal",
                "Deschideți **Company Portal** din meniul Start (pe Mac: Self Service). Tot ce apare acolo este licențiat și se instalează fără drepturi de administrator: faceți clic pe **Install**.\n\nProgramele care nu apar se pot cere din portal (*Am nevoie de ceva → Software*); spuneți la ce vă trebuie. Licențele care costă au nevoie de aprobarea managerului.",
            ),
            "fi": (
                "Ohjelmien asentaminen Company Portalista",
                "Avaa **Company Portal** Käynnistä-valikosta (Macissa: Self Service). Kaikki siellä olevat ohjelmat on lisensoitu ja asentuvat ilman järjestelmänvalvojan oikeuksia: napsauta **Install**.\n\nPuuttuvia ohjelmia voi pyytää portaalista (*Tarvitsen jotain → Ohjelmisto*); kerro, mihin tarvitset sitä. Maksulliset lisenssit vaativat esihenkilön hyväksynnän.",
            ),
        },
    ),
    Doc(
        "access",
        "software",
        tags=["access", "request"],
        ticket_category=("Accounts", "Access request"),
        texts={
            "en": (
                "Request access to a shared folder or an application",
                "Ask in the portal: **New request → I need something**, category *Access request*. Name the folder path (for example `\\\\files\\finance\\budget`) or the application and the role you need. The owner of the folder or application approves; you get an email when access is granted. Sign out and in again for folders to appear.",
            ),
            "ro": (
                "Cererea de acces la un folder partajat sau o aplicație",
                "Cereți din portal: **Cerere nouă → Am nevoie de ceva**, categoria *Cerere de acces*. Indicați calea folderului (de exemplu `\\\\files\\finance\\budget`) sau aplicația și rolul de care aveți nevoie. Aprobă proprietarul folderului sau al aplicației; primiți un e-mail când accesul este acordat. Deconectați-vă și reconectați-vă ca folderele să apară.",
            ),
            "fi": (
                "Käyttöoikeuden pyytäminen jaettuun kansioon tai sovellukseen",
                "Pyydä portaalista: **Uusi pyyntö → Tarvitsen jotain**, kategoria *Käyttöoikeuspyyntö*. Kerro kansion polku (esimerkiksi `\\\\files\\finance\\budget`) tai sovellus ja tarvitsemasi rooli. Kansion tai sovelluksen omistaja hyväksyy; saat sähköpostin, kun oikeus on myönnetty. Kirjaudu ulos ja takaisin sisään, jotta kansiot näkyvät.",
            ),
        },
    ),
    Doc(
        "network-drive",
        "software",
        tags=["files", "drive"],
        texts={
            "en": (
                "Map a network drive",
                "1. Open **File Explorer** → **This PC** → **Map network drive**.\n2. Choose a letter and type the folder, for example `\\\\files.tuki.example\\projects`.\n3. Tick **Reconnect at sign-in**.\n\nAt home, connect the VPN first. Most teams now keep files in Teams or OneDrive, which work without the VPN.",
            ),
            "ro": (
                "Maparea unei unități de rețea",
                "1. Deschideți **File Explorer** → **This PC** → **Map network drive**.\n2. Alegeți o literă și scrieți folderul, de exemplu `\\\\files.tuki.example\\projects`.\n3. Bifați **Reconnect at sign-in**.\n\nAcasă, conectați mai întâi VPN-ul. Majoritatea echipelor țin acum fișierele în Teams sau OneDrive, care merg fără VPN.",
            ),
        },
    ),
    Doc(
        "phishing",
        "security",
        faq=True,
        tags=["security", "email", "phishing"],
        texts={
            "en": (
                "Report a phishing email",
                "Suspicious sender, urgent tone, a link to sign in, an unexpected invoice? Do not click.\n\n1. In Outlook, click **Report → Phishing** on the toolbar.\n2. The message is removed from your mailbox and sent to the security team.\n\n**Clicked already or typed your password?** Change your password at once (see *Reset your password*) and call the service desk: minutes matter.",
            ),
            "ro": (
                "Raportarea unui e-mail de phishing",
                "Expeditor suspect, ton urgent, un link de autentificare, o factură neașteptată? Nu faceți clic.\n\n1. În Outlook, faceți clic pe **Report → Phishing** din bara de instrumente.\n2. Mesajul este șters din căsuță și trimis echipei de securitate.\n\n**Ați dat deja clic sau ați introdus parola?** Schimbați imediat parola (vezi *Resetarea parolei*) și sunați la service desk: contează fiecare minut.",
            ),
            "fi": (
                "Tietojenkalasteluviestin ilmoittaminen",
                "Epäilyttävä lähettäjä, kiireellinen sävy, kirjautumislinkki, odottamaton lasku? Älä napsauta.\n\n1. Napsauta Outlookin työkalurivillä **Report → Phishing**.\n2. Viesti poistetaan postilaatikostasi ja lähetetään tietoturvatiimille.\n\n**Napsautitko jo tai kirjoitit salasanasi?** Vaihda salasana heti (katso *Salasanan vaihtaminen*) ja soita palvelupisteeseen: minuuteilla on väliä.",
            ),
        },
    ),
    Doc(
        "bitlocker",
        "security",
        tags=["security", "laptop", "bitlocker"],
        texts={
            "en": (
                "BitLocker asks for a recovery key",
                "After a BIOS update or a new docking station, Windows may ask for the **BitLocker recovery key** at start-up.\n\n1. Note the **Key ID** shown on the screen (the first 8 characters are enough).\n2. On your phone or another computer, open **https://myaccount.microsoft.com → Devices → View BitLocker keys**.\n3. Type the 48-digit key that matches the Key ID.\n\nNo access to another device? Call the service desk with the Key ID.",
            ),
            "ro": (
                "BitLocker cere cheia de recuperare",
                "După o actualizare de BIOS sau o stație de andocare nouă, Windows poate cere la pornire **cheia de recuperare BitLocker**.\n\n1. Notați **Key ID** afișat pe ecran (primele 8 caractere sunt suficiente).\n2. Pe telefon sau pe alt calculator, deschideți **https://myaccount.microsoft.com → Devices → View BitLocker keys**.\n3. Introduceți cheia de 48 de cifre care corespunde Key ID.\n\nNu aveți alt dispozitiv? Sunați la service desk cu Key ID.",
            ),
            "fi": (
                "BitLocker pyytää palautusavainta",
                "BIOS-päivityksen tai uuden telakan jälkeen Windows voi pyytää käynnistyksessä **BitLocker-palautusavainta**.\n\n1. Kirjoita muistiin näytöllä näkyvä **Key ID** (8 ensimmäistä merkkiä riittää).\n2. Avaa puhelimella tai toisella koneella **https://myaccount.microsoft.com → Devices → View BitLocker keys**.\n3. Kirjoita Key ID:tä vastaava 48-numeroinen avain.\n\nEikö sinulla ole toista laitetta? Soita palvelupisteeseen ja kerro Key ID.",
            ),
        },
    ),
    Doc(
        "mobile-mail",
        "email",
        tags=["phone", "email"],
        texts={
            "en": (
                "Company email on your phone",
                "Install **Microsoft Outlook** from the App Store or Google Play and sign in with your work account. The first time, the phone asks to install **Intune Company Portal**: accept, it protects company data only and cannot see your photos or messages.\n\nThe built-in Mail apps of iOS and Android are not allowed.",
            ),
            "ro": (
                "E-mailul companiei pe telefon",
                "Instalați **Microsoft Outlook** din App Store sau Google Play și autentificați-vă cu contul de serviciu. Prima dată, telefonul cere instalarea **Intune Company Portal**: acceptați, protejează doar datele companiei și nu vă poate vedea fotografiile sau mesajele.\n\nAplicațiile Mail incluse în iOS și Android nu sunt permise.",
            ),
            "fi": (
                "Työsähköposti puhelimeen",
                "Asenna **Microsoft Outlook** App Storesta tai Google Playsta ja kirjaudu työtunnuksellasi. Ensimmäisellä kerralla puhelin pyytää asentamaan **Intune Company Portalin**: hyväksy, se suojaa vain yrityksen tietoja eikä näe kuviasi tai viestejäsi.\n\niOS:n ja Androidin omat sähköpostisovellukset eivät ole sallittuja.",
            ),
        },
    ),
    Doc(
        "helpdesk",
        "software",
        faq=True,
        tags=["service desk"],
        texts={
            "en": (
                "How to reach the service desk",
                "- **Portal:** the fastest way; you follow your request and answer us there.\n- **Email:** `help@tuki.example` opens a request too.\n- **Phone:** +358 9 4242 0100 (Helsinki, Tampere), +40 21 312 0100 (Bucharest, Cluj-Napoca), weekdays 7:00–19:00 local time.\n\nFor anything that stops your work, call: the desk answers calls first.",
            ),
            "ro": (
                "Cum contactați service desk-ul",
                "- **Portal:** calea cea mai rapidă; vă urmăriți cererea și ne răspundeți acolo.\n- **E-mail:** `help@tuki.example` deschide și el o cerere.\n- **Telefon:** +358 9 4242 0100 (Helsinki, Tampere), +40 21 312 0100 (București, Cluj-Napoca), în zilele lucrătoare 7:00–19:00 ora locală.\n\nPentru orice vă oprește din lucru, sunați: service desk-ul răspunde întâi la telefon.",
            ),
            "fi": (
                "Näin tavoitat palvelupisteen",
                "- **Portaali:** nopein tapa; seuraat pyyntöäsi ja vastaat meille siellä.\n- **Sähköposti:** `help@tuki.example` avaa myös pyynnön.\n- **Puhelin:** +358 9 4242 0100 (Helsinki, Tampere), +40 21 312 0100 (Bukarest, Cluj-Napoca), arkisin klo 7–19 paikallista aikaa.\n\nSoita aina, kun työsi on pysähtynyt: palvelupiste vastaa puheluihin ensin.",
            ),
        },
    ),
    Doc(
        "mfa-reset-internal",
        "accounts",
        audience=Audience.INTERNAL,
        tags=["mfa", "agents"],
        texts={
            "en": (
                "Agents: reset a user's MFA registration",
                "Only after verifying the caller: call back on the number in their profile, or ask their manager to confirm in writing. Never on a number the caller gives.\n\n1. Entra admin centre → **Users** → the user → **Authentication methods**.\n2. **Require re-register MFA**, then **Revoke sessions**.\n3. Note in the ticket how identity was verified.\n4. Tell the user to set up MFA within 24 hours (link the public article *Set up multi-factor authentication*).\n\nVIP accounts and administrators: escalate to Security, do not reset yourself.",
            ),
        },
    ),
    Doc(
        "erp-revontuli",
        "software",
        audience=Audience.ORGANISATIONS,
        faq=True,
        tags=["erp"],
        ticket_category=("Applications", "ERP"),
        texts={
            "en": (
                "Revontuli: signing in to the ERP",
                "Revontuli's ERP is at **https://erp.revontuli.example**. Sign in with your Revontuli account (not a Tuki one). Month-end closing locks postings from the 3rd working day at 16:00 Finnish time. Access requests go to your finance lead, who approves them in the portal.",
            ),
            "fi": (
                "Revontuli: kirjautuminen ERP-järjestelmään",
                "Revontulen ERP on osoitteessa **https://erp.revontuli.example**. Kirjaudu Revontulen tunnuksella (ei Tuki-tunnuksella). Kuukauden päättäminen lukitsee kirjaukset kolmantena työpäivänä klo 16 Suomen aikaa. Käyttöoikeuspyynnöt menevät talousvastaavallesi, joka hyväksyy ne portaalissa.",
            ),
        },
    ),
    Doc(
        "vpn-migration",
        "network",
        state=State.DRAFT,
        tags=["vpn"],
        texts={
            "en": (
                "Moving to the new VPN client (draft)",
                "In March every laptop moves from GlobalProtect to the new client.\n\n- What changes for users: TODO\n- Dates per office: TODO (ask Network Helsinki)\n- Known issues from the pilot: split tunnelling for Teams",
            ),
        },
    ),
    Doc(
        "webmail-old",
        "email",
        state=State.ARCHIVED,
        tags=["email"],
        texts={
            "en": (
                "Old webmail address",
                "Webmail moved from mail.tuki.example to https://outlook.office.com in 2023. This article is kept for old links.",
            ),
        },
    ),
]

RELATED = [
    ("password", "mfa"), ("password", "locked"), ("mfa", "mfa-phone"), ("vpn", "vpn-sites"),
    ("vpn", "wifi"), ("outlook-new", "outlook-password"), ("outlook-password", "password"),
    ("printer-add", "printer-offline"), ("printer-add", "secure-print"), ("new-laptop", "slow-laptop"),
    ("dock", "new-laptop"), ("phishing", "password"), ("network-drive", "vpn"),
    ("access", "network-drive"), ("teams-audio", "teams-room"),
]  # fmt: skip

COMMENTS_NO = [
    "Step 3 looks different on my laptop.",
    "Did not work from the hotel Wi-Fi.",
    "Please add screenshots.",
]
UNANSWERED = [
    ("docking station firmware", 9), ("expense report app", 7), ("parking badge", 5),
    ("teams background", 4), ("imprimanta color etaj 3", 3), ("etätyöpiste näyttö", 3),
]  # fmt: skip
DEFLECTION_QUERIES = [
    "forgot password", "vpn not connecting", "printer offline", "outlook password prompt",
    "new laptop", "teams microphone", "wifi office", "parola resetare", "salasana unohtui",
    "out of office", "phishing email", "tulostin ei toimi",
]  # fmt: skip
