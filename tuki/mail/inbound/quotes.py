"""Split an email body into what the sender just wrote and the history it quotes.

Mail clients mark the start of the quoted history in a handful of ways, in the sender's
language: an attribution line ("On <date>, <name> wrote:"), a separator ("-----Original
Message-----", "---------- Forwarded message ---------"), an Outlook header block
(From:/Sent:/To:/Subject:) or "> " quoting. The first marker found ends the new part; a
"-- " signature delimiter ends it too, so the signature stays out of the ticket text.
Pure functions, no Django.
"""

from __future__ import annotations

import re

# How many following lines an attribution may be wrapped over (Gmail wraps long names and
# addresses: "On Mon, 1 Jan 2024 at 10:00, Jane Doe <\njane@example.com> wrote:").
_WRAP = 3
_MAX_ATTRIBUTION = 400

# Attribution lines: the whole (possibly unwrapped) line must match. A real attribution
# names a date, a time or an address, or quoted lines follow it (_is_attribution).
_ATTRIBUTIONS = [
    # English: Gmail, Outlook, Thunderbird, Apple Mail, Yahoo; or just "Jane Doe wrote:".
    r".{1,380}\b(wrote|writes)\s*:",
    # Romanian: "La 1 ian. 2024, la 10:00, Ion <ion@x> a scris:", "În data de ... a scris:",
    # Thunderbird "Pe 01.01.2024 10:00, Ion a scris:".
    r".{1,380}\ba\s+scris\s*:",
    # Finnish: "Matti kirjoitti 1.2.2024 klo 10.00:", "ma 1.2.2024 klo 10.00 Matti <m@x>
    # kirjoitti:", Apple Mail "1.2.2024 kello 10.00, Matti <m@x> kirjoitti:".
    r".{1,300}\bkirjoitti\s*:",
    r".{1,300}\bkirjoitti\s+[^:]{0,20}\d{1,2}\.\d{1,2}\.[^:]{0,60}:",
    # Neighbours seen at a European desk (German, French, Swedish), cheap to recognise.
    r"Am\b.{1,380}\bschrieb\b.{0,200}:",
    r"Le\b.{1,380}\ba\s+écrit\s*:",
    r"Den\b.{1,380}\bskrev\b.{0,200}:",
]
_ATTRIBUTION_RE = re.compile(r"^\s*(?:" + "|".join(_ATTRIBUTIONS) + r")\s*$", re.IGNORECASE)
# A date (3.3.2025, 2025-03-03, 3/3/25), a time (10:12, 10.12) or an address.
_EVIDENCE_RE = re.compile(r"@|\b\d{1,4}[./:-]\d{1,2}\b|\b\d{1,2}\s+\w{3,}\.?,?\s+\d{4}\b")

# Separator lines: "-----Original Message-----", forwarded-message banners and the like.
_SEPARATOR_WORDS = [
    r"original message",
    r"forwarded message",
    r"begin forwarded message",
    r"început(ul)? mesaj(ului)? (redirecționat|redirectionat|redirecţionat)",
    r"alkaa välitetty viesti",
    r"mesaj(ul)? original",
    r"mesaj(ul)? (redirecționat|redirectionat|redirecţionat|transmis|înaintat|inaintat)",
    r"alkuperäinen viesti",
    r"välitetty viesti",
    r"edelleenlähetetty viesti",
    r"ursprüngliche nachricht",
    r"weitergeleitete nachricht",
    r"message d'origine",
    r"message transféré",
    r"ursprungligt meddelande",
    r"vidarebefordrat meddelande",
]
_SEPARATOR_RE = re.compile(
    r"^[-_=*\s]*(?:" + "|".join(_SEPARATOR_WORDS) + r")[-_=*\s:]*$", re.IGNORECASE
)
_RULE_RE = re.compile(r"^\s*_{10,}\s*$")  # Outlook's line above its header block

# Outlook header blocks: a "From:" line followed by at least one more header line.
_FROM_KEYS = r"from|de la|de|lähettäjä|von|från|expéditeur"
_OTHER_KEYS = (
    r"sent|date|to|cc|subject|trimis|data|către|catre|cc|subiect|lähetetty|päivämäärä|"
    r"vastaanottaja|kopio|aihe|gesendet|datum|an|betreff|skickat|till|ämne|envoyé|à|objet"
)
_HEADER_FROM_RE = re.compile(r"^[*>\s]*(?:" + _FROM_KEYS + r")\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER_RE = re.compile(r"^[*>\s]*(?:" + _OTHER_KEYS + r")\s*:\*?", re.IGNORECASE)

_SIGNATURE_RE = re.compile(r"^-- ?$")
# Signatures phones add on their own, in our three languages.
_MOBILE_RE = re.compile(
    r"^\s*(sent from my \w[\w\s-]{0,30}|get outlook for \w+|sent from outlook for \w+|"
    r"trimis de pe [\w\s-]{1,40}|trimis din outlook pentru \w+|"
    r"lähetetty [\w-]+(sta|stä|lta|ltä)( \w+)?|hanki outlook \w+)\s*$",
    re.IGNORECASE,
)
_QUOTED_RE = re.compile(r"^\s*>")


def split_reply(text: str) -> tuple[str, str]:
    """Return (what the sender wrote now, the quoted history and signature).

    The new part is stripped; the history starts at the first marker. Without a marker
    the whole text is new. "> " lines before the marker or without one (bottom-posted
    and interleaved replies) go to the history; the unquoted lines stay new. A plain
    forward has an empty new part: callers decide whether to fall back to the text.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _find_marker(lines)
    before, after = (lines, []) if cut is None else (lines[:cut], lines[cut:])
    new = [line for line in before if not _QUOTED_RE.match(line)]
    quoted = [line for line in before if _QUOTED_RE.match(line)]
    history = "\n".join(quoted + ([""] if quoted and after else []) + after)
    return "\n".join(new).strip(), history.strip()


def _find_marker(lines: list[str]) -> int | None:
    """Index of the first line that starts the history, or None."""
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if _SIGNATURE_RE.match(line) or _SEPARATOR_RE.match(stripped) or _MOBILE_RE.match(line):
            return index
        if _RULE_RE.match(line) and _is_header_block(lines, index + 1):
            return index
        if _is_header_block(lines, index):
            return index
        if _is_attribution(lines, index):
            return index
    return None


def _is_attribution(lines: list[str], index: int) -> bool:
    """An attribution, maybe wrapped over a few lines.

    "Here is what I wrote:" is not one: a real attribution names a date or an address,
    or quoted lines follow it.
    """
    joined = ""
    for offset in range(_WRAP):
        if index + offset >= len(lines):
            return False
        part = lines[index + offset].strip()
        if offset and (not part or _QUOTED_RE.match(part)):
            return False
        joined = f"{joined} {part}".strip()
        if len(joined) > _MAX_ATTRIBUTION:
            return False
        if joined.endswith(":") and _ATTRIBUTION_RE.match(joined):
            return _EVIDENCE_RE.search(joined) is not None or _quotes_follow(
                lines, index + offset + 1
            )
    return False


def _quotes_follow(lines: list[str], index: int) -> bool:
    following = next((line for line in lines[index:] if line.strip()), "")
    return _QUOTED_RE.match(following) is not None


def _is_header_block(lines: list[str], index: int) -> bool:
    """A From:-like line followed by another header line within the next two lines."""
    if index >= len(lines) or not _HEADER_FROM_RE.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 4] if line.strip()][:2]
    return any(_HEADER_OTHER_RE.match(line) for line in following)
