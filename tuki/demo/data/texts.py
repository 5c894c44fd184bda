"""What the demo's people write: ticket scenarios and the phrases of a working desk.

Placeholders filled per ticket: {first} (requester's first name), {office}, {floor},
{asset} (an asset tag), {case} (a supplier's case number), {agent} (first name of the
agent writing).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scenario:
    """One kind of call the desk gets, with how it usually unfolds."""

    category: tuple[str, str]
    title: str
    description: str
    kind: str = "incident"
    impact: int = 3
    urgency: int = 2
    # The desk can often solve it on the phone (password resets, how-tos).
    first_contact: str = ""
    # The desk asks the requester for something, and what they answer.
    question: str = ""
    answer: str = ""
    # Escalated: the operator's hand-over note and the specialists' working notes.
    handover: str = ""
    notes: tuple[str, ...] = ()
    resolution: str = ""
    code: str = "solved"
    # Work waits on a supplier (vendor case, hardware order).
    supplier_note: str = ""
    language: str = ""  # written in this language (requesters who speak it only)
    tags: tuple[str, ...] = field(default_factory=tuple)


VPN = ("Network", "VPN")
WIFI = ("Network", "Wi-Fi")
LAPTOP = ("Workplace", "Laptop")
PRINTER = ("Workplace", "Printer")
PASSWORD = ("Accounts", "Password reset")
ACCESS = ("Accounts", "Access request")
EMAIL = ("Applications", "Email")
ERP = ("Applications", "ERP")

SCENARIOS: list[Scenario] = [
    Scenario(
        VPN,
        "VPN disconnects every few minutes",
        "Since this morning my VPN connection drops every 5-10 minutes when working from "
        "home. Reconnecting works, but Teams calls and file copies break each time.",
        impact=3,
        urgency=2,
        question="Could you tell us which network you are on at home (fibre, 4G router?) "
        "and send the log from the VPN client (Help › Export logs)?",
        answer="Fibre at home, but the Wi-Fi is from the operator's router. Log attached.",
        handover="Client log shows DPD timeouts to the {office} concentrator. Not a "
        "password issue. Please check the gateway side.",
        notes=(
            "DPD timeouts match the keepalive change on the gateway last week.",
            "Lowered the idle timeout back to 30 s for the remote-access profile; user's "
            "tunnel has been stable for 2 hours.",
        ),
        resolution="Gateway keepalive setting corrected; the tunnel no longer drops.",
        tags=("remote-work",),
    ),
    Scenario(
        VPN,
        "Cannot connect to VPN: authentication failed",
        "The VPN client says 'authentication failed' although I can log in to email with "
        "the same password.",
        urgency=1,
        first_contact="Your VPN certificate had expired. I renewed it remotely; please "
        "restart the VPN client and connect again.",
        handover="Certificate renewed but still failing. MFA prompt never arrives.",
        notes=(
            "User was missing from the VPN-Users group after the HR data sync.",
            "Re-added to VPN-Users; sync rule fixed so it does not happen again.",
        ),
        resolution="VPN group membership restored; the user connects again.",
    ),
    Scenario(
        VPN,
        "VPN very slow for the whole team",
        "Everyone in our team in {office} says the VPN is extremely slow today. Opening a "
        "file from the shared drive takes minutes.",
        impact=2,
        urgency=1,
        handover="Several calls from {office} in the last hour, all slow VPN. Looks like a "
        "capacity problem, not individual laptops.",
        notes=(
            "Concentrator CPU at 95 %. Split tunnelling was disabled by the last config push.",
            "Re-enabled split tunnelling for Microsoft 365 traffic; CPU back to 40 %.",
        ),
        resolution="Split tunnelling restored on the VPN gateway; speed is back to normal.",
        tags=("outage",),
    ),
    Scenario(
        VPN,
        "VPN-yhteys katkeilee",
        "Etätyöyhteys katkeaa noin 10 minuutin välein. Ongelma alkoi eilen päivityksen jälkeen.",
        language="fi",
        question="Voitko kertoa VPN-asiakasohjelman version (Tietoja-ikkuna)?",
        answer="Versio on 5.2.1.",
        handover="Client 5.2.1 has a known bug with sleep mode; needs the 5.2.3 rollout.",
        notes=("Pushed client 5.2.3 to the laptop via Intune.",),
        resolution="VPN-ohjelma päivitetty versioon 5.2.3; yhteys pysyy nyt päällä.",
    ),
    Scenario(
        WIFI,
        "Wi-Fi keeps dropping in meeting room {floor}",
        "In meeting room {floor} the Wi-Fi drops every few minutes. Other rooms are fine. "
        "We have customer meetings there this week.",
        urgency=1,
        handover="Only that room, several devices. Probably the access point.",
        notes=(
            "AP in the room reboots every ~10 minutes: PoE budget on the switch exceeded.",
            "Moved the AP to another switch port with PoE+; stable since.",
        ),
        resolution="Access point moved to a PoE+ port; the meeting room Wi-Fi is stable.",
    ),
    Scenario(
        WIFI,
        "Guest Wi-Fi for visitors next week",
        "We have 12 visitors from a partner company on Tuesday and Wednesday. Can we get "
        "guest Wi-Fi codes for them?",
        kind="request",
        urgency=3,
        first_contact="Guest codes created, valid Tuesday 08:00 to Wednesday 18:00. I sent "
        "them to you by email; hand one to each visitor.",
        resolution="Guest Wi-Fi vouchers created and sent.",
        code="first_contact",
    ),
    Scenario(
        WIFI,
        "Laptop does not see the corporate Wi-Fi",
        "My laptop ({asset}) no longer lists the corporate network. Guest Wi-Fi works.",
        first_contact="The Wi-Fi profile had been removed by a policy refresh. I triggered "
        "a device sync; the network appears again after a restart.",
        question="Is the laptop connected to a docking station when this happens?",
        answer="No, it happens everywhere in the office, docked or not.",
        handover="Device sync did not restore the profile. Certificate on device expired?",
        notes=("Machine certificate expired; renewed it via the management console.",),
        resolution="Machine certificate renewed; corporate Wi-Fi connects again.",
    ),
    Scenario(
        WIFI,
        "Wi-Fi lent la etajul {floor}",
        "Conexiunea Wi-Fi la etajul {floor} este foarte lentă de ieri. Videoconferințele se "
        "întrerup.",
        language="ro",
        handover="Slow Wi-Fi on one floor in {office}; channel interference suspected.",
        notes=(
            "Neighbouring tenant installed new APs on the same 5 GHz channels.",
            "Switched our APs on that floor to DFS channels; throughput tripled.",
        ),
        resolution="Canalele Wi-Fi au fost schimbate; viteza este din nou normală.",
    ),
    Scenario(
        LAPTOP,
        "Laptop battery drains within an hour",
        "My laptop ({asset}) battery goes from full to empty in about an hour, even when I "
        "only use email.",
        handover="Battery health report shows 38 % of design capacity. Hardware.",
        notes=("Battery worn out; laptop is under warranty.",),
        supplier_note="Replacement battery ordered from the vendor, case {case}.",
        resolution="Battery replaced under warranty.",
    ),
    Scenario(
        LAPTOP,
        "New laptop for a new employee starting on Monday",
        "A new colleague joins our team on Monday. Please prepare a standard laptop with "
        "docking station and headset.",
        kind="request",
        urgency=2,
        handover="Standard developer kit requested; user account is already created.",
        notes=(
            "Laptop {asset} imaged and enrolled.",
            "Handed over at the {office} office reception with the docking station.",
        ),
        resolution="Laptop {asset} prepared and delivered.",
    ),
    Scenario(
        LAPTOP,
        "Blue screen after Windows update",
        "After last night's update my laptop shows a blue screen with "
        "DRIVER_IRQL_NOT_LESS_OR_EQUAL at startup. I can only start it in safe mode.",
        impact=3,
        urgency=1,
        question="Could you read us the file name shown under the error code, if any?",
        answer="It says: what failed: netwtw10.sys",
        handover="Wi-Fi driver crash after the cumulative update. Needs driver rollback.",
        notes=("Rolled back the Wi-Fi driver remotely in safe mode with networking.",),
        resolution="Faulty Wi-Fi driver rolled back; the laptop starts normally.",
    ),
    Scenario(
        LAPTOP,
        "Docking station: external monitors stay black",
        "When I connect my laptop to the docking station in {office}, the two monitors stay "
        "black. Charging works.",
        first_contact="We updated the docking station firmware together on the phone; both "
        "monitors work again.",
        handover="Firmware update did not help; dock may be faulty.",
        notes=("Swapped the docking station at the desk.",),
        resolution="Docking station replaced.",
    ),
    Scenario(
        LAPTOP,
        "Kannettava ei käynnisty",
        "Kannettavani ({asset}) ei käynnisty ollenkaan. Laturin valo palaa.",
        language="fi",
        urgency=1,
        handover="Laptop dead, charger OK. Needs a loan device and repair.",
        notes=("Loan laptop handed over; mainboard fault confirmed.",),
        supplier_note="Sent to the vendor for repair, case {case}.",
        resolution="Emolevy vaihdettu takuussa; kone palautettu käyttäjälle.",
    ),
    Scenario(
        PRINTER,
        "Printer on floor {floor} jams on every job",
        "The printer next to the kitchen on floor {floor} jams on every print job. We have "
        "tried another paper pack.",
        urgency=2,
        handover="Hardware fault on the floor printer in {office}.",
        notes=("Pick-up roller worn out.",),
        supplier_note="Service visit booked with the printer vendor, case {case}.",
        resolution="Vendor replaced the pick-up roller; printing works.",
    ),
    Scenario(
        PRINTER,
        "Cannot add the printer in {office}",
        "I moved to the {office} office and cannot find the local printer in the list.",
        impact=3,
        urgency=3,
        first_contact="I added the follow-me print queue to your laptop; badge in at any "
        "printer in the office to release your jobs.",
        resolution="Follow-me print queue added.",
        code="first_contact",
    ),
    Scenario(
        PRINTER,
        "Scanned documents are not arriving by email",
        "When I scan to email on the multifunction printer, nothing arrives. It used to work.",
        question="Do the scans go to your own address or a shared mailbox?",
        answer="My own address. My colleagues have the same problem.",
        handover="Scan-to-email broken for all users in {office}: SMTP relay?",
        notes=(
            "The printer used basic authentication to the mail relay, which was switched off.",
            "Configured the printer to use the internal relay connector instead.",
        ),
        resolution="Scan-to-email moved to the internal relay; scans arrive again.",
    ),
    Scenario(
        PRINTER,
        "Imprimanta nu printează color",
        "Imprimanta de la etajul {floor} printează doar alb-negru de ieri.",
        language="ro",
        urgency=3,
        first_contact="Cartușul magenta era gol; am trimis un coleg să îl înlocuiască.",
        resolution="Cartuș înlocuit.",
        code="first_contact",
    ),
    Scenario(
        PASSWORD,
        "Password expired, locked out",
        "My password expired while I was on holiday and now my account is locked.",
        urgency=1,
        first_contact="Identity verified by call-back to your registered phone number. "
        "Account unlocked and a temporary password set; you will be asked to change it.",
        resolution="Account unlocked, temporary password issued after identity check.",
        code="first_contact",
    ),
    Scenario(
        PASSWORD,
        "MFA: new phone, cannot approve sign-ins",
        "I got a new phone and the authenticator app is empty. I cannot sign in anywhere.",
        kind="request",
        urgency=1,
        first_contact="After verifying your identity I reset your MFA registration. Sign in "
        "and the app will ask you to register the new phone.",
        resolution="MFA registration reset after identity verification.",
        code="first_contact",
    ),
    Scenario(
        PASSWORD,
        "Salasanan vaihto ei onnistu",
        "Yritän vaihtaa salasanan, mutta järjestelmä sanoo että se ei täytä vaatimuksia.",
        language="fi",
        urgency=2,
        first_contact="Salasanan pitää olla vähintään 14 merkkiä eikä se saa sisältää "
        "nimeäsi. Kokeilimme yhdessä ja vaihto onnistui.",
        resolution="Ohjeistettu salasanavaatimuksista.",
        code="user_error",
    ),
    Scenario(
        ACCESS,
        "Access to the finance shared drive",
        "I joined the finance team and need read/write access to the Finance share.",
        kind="request",
        urgency=3,
        question="Could your manager confirm the access by replying to this ticket?",
        answer="My manager confirmed by email, I forwarded it to the service desk.",
        handover="Approval received from the line manager; please grant access.",
        notes=("Added to FIN-Share-RW.",),
        resolution="Access to the Finance share granted.",
    ),
    Scenario(
        ACCESS,
        "Shared mailbox for the sales team",
        "Please give me access to the sales@ shared mailbox, my colleagues already have it.",
        kind="request",
        urgency=3,
        handover="Approved by the team lead in the call. Mailbox permissions needed.",
        notes=("Full access and send-as granted; appears in Outlook within an hour.",),
        resolution="Shared mailbox access granted.",
    ),
    Scenario(
        ACCESS,
        "Account for a contractor",
        "We have a contractor starting next week for three months. They need an account, "
        "email and VPN access.",
        kind="request",
        urgency=2,
        question="What is the contractor's full name, company and end date of the contract?",
        answer="The contractor's details are in the attached form, end date 31 March.",
        handover="External account with an expiry date; VPN group needed too.",
        notes=("Account created with expiry date, added to VPN-Users.",),
        resolution="Contractor account, mailbox and VPN access created with an end date.",
    ),
    Scenario(
        ACCESS,
        "Acces la aplicația de pontaj",
        "Am nevoie de acces la aplicația de pontaj pentru echipa mea.",
        kind="request",
        language="ro",
        urgency=3,
        handover="Manager role in the time-tracking app requested.",
        notes=("Role granted in the admin console.",),
        resolution="Accesul a fost acordat.",
    ),
    Scenario(
        EMAIL,
        "Outlook keeps asking for my password",
        "Outlook asks for my password every few minutes, even after I type it correctly.",
        first_contact="We cleared the stored credentials and re-created your Outlook "
        "profile; the prompts have stopped.",
        handover="Profile re-created, prompts continue. Modern auth disabled on the client?",
        notes=("Registry key disabling modern authentication found; removed it.",),
        resolution="Modern authentication re-enabled in Outlook; no more prompts.",
    ),
    Scenario(
        EMAIL,
        "Emails to a customer are bouncing",
        "Every email I send to our customer's domain comes back with '550 5.7.1 rejected'.",
        urgency=1,
        impact=2,
        question="Could you forward one of the bounce messages to the service desk?",
        answer="Forwarded the bounce just now.",
        handover="Customer rejects our mail: SPF failure after the new mail gateway.",
        notes=(
            "SPF record does not include the new gateway's IP range.",
            "DNS updated; test messages to the customer are delivered.",
        ),
        resolution="SPF record corrected; mail to the customer is delivered.",
        tags=("email-delivery",),
    ),
    Scenario(
        EMAIL,
        "Mailbox full",
        "I get warnings that my mailbox is full and I cannot send email.",
        urgency=1,
        first_contact="I enabled the online archive for your mailbox; older mail moves "
        "there automatically and you can send again.",
        resolution="Online archive enabled.",
        code="first_contact",
    ),
    Scenario(
        EMAIL,
        "Calendar invitations not showing for the team",
        "Since Monday my team does not see my calendar invitations, they arrive only as email.",
        question="Do you use a delegate or assistant for your calendar?",
        answer="Yes, my assistant manages my calendar.",
        handover="Delegate settings suspect; needs the mailbox admin.",
        notes=("Delegate rule was sending invitations to the delegate only; fixed.",),
        resolution="Delegate settings corrected.",
    ),
    Scenario(
        ERP,
        "ERP invoice export times out",
        "When I export the monthly invoice list from the ERP, the page times out after a "
        "few minutes. We need it for the month-end close.",
        impact=2,
        urgency=1,
        handover="Reproduced: the export runs >5 minutes. ERP is the partner's application.",
        notes=("Query plan shows a full scan of the invoice lines table.",),
        supplier_note="Raised with Nordic ERP Partner, their case {case}.",
        resolution="Supplier added the missing index; the export finishes in 20 seconds.",
        tags=("month-end",),
    ),
    Scenario(
        ERP,
        "Cannot post goods receipt in ERP",
        "Posting a goods receipt fails with 'period closed' although the period is open.",
        urgency=1,
        question="Which company code and posting date are you using?",
        answer="Company code 2000, posting date today.",
        handover="Period table for company code 2000 looks wrong; supplier configuration.",
        notes=("Confirmed the period variant differs from the company code's.",),
        supplier_note="Configuration fix requested from the ERP partner, case {case}.",
        resolution="Supplier corrected the posting period variant.",
    ),
    Scenario(
        ERP,
        "ERP access for the new purchaser",
        "Please give our new purchaser the standard purchasing role in the ERP.",
        kind="request",
        urgency=3,
        handover="Standard purchasing role requested; approved by the purchasing manager.",
        notes=("Role assigned in the ERP user administration.",),
        resolution="Purchasing role granted.",
    ),
    Scenario(
        ERP,
        "Raportul de stocuri este gol",
        "Raportul de stocuri din ERP nu mai afișează nimic de azi dimineață.",
        language="ro",
        urgency=2,
        handover="Inventory report empty since this morning's ERP patch.",
        notes=("Report definition reset by the patch.",),
        supplier_note="Reported to the ERP partner, case {case}.",
        resolution="Definiția raportului a fost restaurată de furnizor.",
    ),
]


@dataclass(frozen=True)
class ProblemStory:
    category: tuple[str, str]
    title: str
    description: str
    notes: tuple[str, ...]
    resolution: str
    change_title: str
    change_description: str
    change_notes: tuple[str, ...]


PROBLEMS: list[ProblemStory] = [
    ProblemStory(
        VPN,
        "Recurring VPN drops for remote workers",
        "Repeated incidents about VPN tunnels dropping every few minutes, mostly on home "
        "networks. Find the root cause.",
        (
            "Pattern: only clients behind carrier-grade NAT; DPD timeout too aggressive.",
            "Root cause: keepalive interval shorter than the NAT session timeout.",
        ),
        "Keepalive and DPD timers aligned with common NAT timeouts.",
        "Change VPN gateway DPD and keepalive timers",
        "Raise DPD timeout to 30 s and enable NAT keepalive on the remote-access profile. "
        "Rollback: restore the saved profile. Window: Thursday 19:00-20:00.",
        ("Tested on the staging gateway with 20 clients; no drops in 24 h.",),
    ),
    ProblemStory(
        WIFI,
        "Access points rebooting on the third floor",
        "Several incidents about meeting-room Wi-Fi dropping. APs reboot periodically.",
        ("Switch PoE budget exceeded when all APs and phones draw power.",),
        "Switch with a larger PoE budget installed.",
        "Replace the third-floor access switch with a PoE+ model",
        "Swap the access switch in the third-floor cabinet. Expected downtime 15 minutes.",
        ("New switch pre-configured and tested in the lab.",),
    ),
    ProblemStory(
        ERP,
        "ERP exports slow at month end",
        "Invoice and stock exports time out at every month end.",
        ("Missing index on invoice lines; statistics job disabled after the last upgrade.",),
        "Index added and statistics job re-enabled by the supplier.",
        "Apply ERP performance patch 4.2.1",
        "Supplier patch adding indexes and re-enabling the statistics job. Needs a 2-hour "
        "ERP outage on Saturday.",
        ("Patch tested by the supplier on the copy of production.",),
    ),
    ProblemStory(
        EMAIL,
        "Mail to some customers rejected after gateway migration",
        "Several bounce incidents since the mail gateway migration.",
        ("SPF and DKIM records still point to the old gateway.",),
        "DNS records updated for the new gateway.",
        "Update SPF and DKIM records for the new mail gateway",
        "Publish new SPF include and DKIM selector; keep the old selector for 7 days.",
        ("Records prepared; TTL lowered to 300 s a day before.",),
    ),
    ProblemStory(
        LAPTOP,
        "Blue screens after the monthly Windows update",
        "Multiple laptops crash at startup after the cumulative update.",
        ("All affected laptops have Wi-Fi driver 22.1; vendor has a fixed driver.",),
        "Fixed driver approved and deployed.",
        "Deploy Wi-Fi driver 22.3 to all laptops",
        "Deploy the vendor's fixed Wi-Fi driver in three rings over one week.",
        ("Ring 0 (IT staff) updated without problems.",),
    ),
    ProblemStory(
        PRINTER,
        "Scan-to-email broken on all multifunction printers",
        "Scans stopped arriving after basic authentication was turned off.",
        ("All printers use basic auth to the cloud relay.",),
        "Printers moved to the internal relay connector.",
        "Reconfigure printers to use the internal SMTP relay",
        "Push new SMTP settings to all multifunction printers via the print management tool.",
        ("Pilot on two printers in Bucharest successful.",),
    ),
]

# Phrases of a working desk, per language of the requester.
ACKNOWLEDGE = {
    "en": [
        "Hi {first}, thanks for reporting this. I'm looking into it now.",
        "Hello {first}, we have registered your request and will keep you updated here.",
        "Hi {first}, thanks. I'm checking this with the team and will get back to you.",
    ],
    "fi": [
        "Hei {first}, kiitos ilmoituksesta. Selvitämme asiaa.",
        "Hei {first}, pyyntösi on kirjattu ja palaamme asiaan pian.",
    ],
    "ro": [
        "Bună ziua {first}, mulțumim pentru semnalare. Ne ocupăm de problemă.",
        "Bună {first}, am înregistrat cererea și revenim cu noutăți.",
    ],
}
ESCALATED = {
    "en": [
        "Hi {first}, I've passed this to our specialists. We'll keep you informed.",
        "Hello {first}, this needs our second-line team; they are on it now.",
    ],
    "fi": ["Hei {first}, siirsimme asian asiantuntijoille. Pidämme sinut ajan tasalla."],
    "ro": ["Bună {first}, am transmis problema echipei de specialiști. Vă ținem la curent."],
}
RESOLVED = {
    "en": [
        "Hi {first}, the team has fixed this. Could you check that it works for you now?",
        "Hello {first}, this should be solved now. Let us know if anything is still wrong.",
    ],
    "fi": ["Hei {first}, asia on korjattu. Voisitko tarkistaa, että kaikki toimii?"],
    "ro": ["Bună {first}, problema a fost rezolvată. Vă rugăm să verificați."],
}
THANKS = {
    "en": ["Works now, thank you!", "Confirmed, all good. Thanks for the quick help.", ""],
    "fi": ["Toimii, kiitos!", ""],
    "ro": ["Funcționează, mulțumesc!", ""],
}
REOPEN = {
    "en": ["It happened again this morning.", "Still not working after the restart, sorry."],
    "fi": ["Sama vika toistui tänään."],
    "ro": ["Problema a reapărut azi dimineață."],
}
NUDGE = {
    "en": ["Any news on this?", "This is getting urgent for us, any update?"],
    "fi": ["Onko tähän tullut mitään uutta?"],
    "ro": ["Există noutăți?"],
}
CANCEL_REASONS = [
    "The requester solved it themselves.",
    "Duplicate call; the requester withdrew it.",
    "No longer needed, the project was postponed.",
]
NO_REPLY = "Closing as agreed: no reply within five working days."
MANAGER_REASON = "Business-critical for the requester's team; needs the group manager's attention."
WRONG_OFFICE = "The requester works from {office}; moving to the local team."
