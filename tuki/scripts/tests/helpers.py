"""A three-level script built through the services, shared by the tests."""

from __future__ import annotations

from tuki.conftest import Desk
from tuki.scripts import services
from tuki.scripts.models import Script


def build_vpn_script(desk: Desk, *, publish: bool = True) -> Script:
    """question (n1) → Yes: question (n2) → Yes: check (n3) → Yes: resolve (n4)
    ; No at n1/n2/n3 → escalate to Network Helsinki."""
    admin = desk.admin
    script = services.create_script(admin, name="VPN will not connect", keywords="vpn, tunnel")
    script.categories.set([desk.vpn])
    n1 = services.add_node(admin, script, kind="question")
    services.update_node(
        admin, script, n1, {"text": "Is the laptop online?", "answers": ["Yes", "No"]}
    )
    n2 = services.add_node(admin, script, kind="question", parent=n1, answer=0)
    services.update_node(
        admin, script, n2, {"text": "Is the VPN client installed?", "answers": ["Yes", "No"]}
    )
    n3 = services.add_node(admin, script, kind="check", parent=n2, answer=0)
    services.update_node(admin, script, n3, {"text": "Restart the VPN client. Does it connect?"})
    n4 = services.add_node(admin, script, kind="resolve", parent=n3, answer=0)
    services.update_node(admin, script, n4, {"text": "Restarted the VPN client."})
    for parent in (n1, n2, n3):
        esc = services.add_node(admin, script, kind="escalate", parent=parent, answer=1)
        services.update_node(
            admin, script, esc, {"text": "Network must look", "group": desk.network_hel.pk}
        )
    if publish:
        services.publish(admin, script)
    return script
