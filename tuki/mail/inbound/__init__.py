"""Mail coming in: reading a message (parsing, htmltext, quotes, loops), finding its ticket
(threads) and sender (senders), deciding what it does (intake, bounces), and fetching it
from IMAP mailboxes (imap, leases, polling). The entry point is `tuki.mail.services`."""
