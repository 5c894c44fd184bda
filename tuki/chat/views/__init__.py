from tuki.chat.views.section import ticket_section

__all__ = ["ticket_section"]
