"""The CI classes every desk starts with (migration 0002 writes them once; a desk edits them
as it likes). Names and labels are stored in English and shown translated."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _

# key, name, layer, parent class key, redundant group, attributes
# (attribute: key, label, type, unit, choices)
Attribute = tuple[str, str, str, str, tuple[str, ...]]
CLASSES: list[tuple[str, str, str, str | None, bool, list[Attribute]]] = [
    ("business_service", _("Business service"), "business", None, False, []),
    ("application_service", _("Application service"), "application", None, False, []),
    ("technical_service", _("Technical service"), "technical", None, False, []),
    ("site", _("Site"), "component", None, False, [("address", _("Address"), "text", "", ())]),
    (
        "server",
        _("Server"),
        "component",
        None,
        False,
        [
            ("os", _("Operating system"), "text", "", ()),
            ("cpu_cores", _("CPU cores"), "integer", "", ()),
            ("memory_gb", _("Memory"), "decimal", "GB", ()),
            ("disk_gb", _("Disk"), "decimal", "GB", ()),
            ("ip_address", _("IP address"), "text", "", ()),
        ],
    ),
    (
        "virtual_machine",
        _("Virtual machine"),
        "component",
        "server",
        False,
        [("hypervisor", _("Hypervisor"), "choice", "", ("VMware", "KVM", "Hyper-V", "Xen"))],
    ),
    (
        "network_device",
        _("Network device"),
        "component",
        None,
        False,
        [
            (
                "device_type",
                _("Device type"),
                "choice",
                "",
                ("switch", "router", "firewall", "access point", "load balancer"),
            ),
            ("ip_address", _("IP address"), "text", "", ()),
            ("ports", _("Ports"), "integer", "", ()),
        ],
    ),
    (
        "application",
        _("Application"),
        "component",
        None,
        False,
        [("version", _("Version"), "text", "", ()), ("vendor", _("Vendor"), "text", "", ())],
    ),
    (
        "database",
        _("Database"),
        "component",
        None,
        False,
        [
            (
                "engine",
                _("Engine"),
                "choice",
                "",
                ("PostgreSQL", "MariaDB", "MySQL", "Oracle", "SQL Server", "SQLite"),
            ),
            ("version", _("Version"), "text", "", ()),
            ("size_gb", _("Size"), "decimal", "GB", ()),
        ],
    ),
    ("cluster", _("Cluster"), "component", None, True, []),
    (
        "licence",
        _("Software licence"),
        "component",
        None,
        False,
        [("seats", _("Seats"), "integer", "", ()), ("expires", _("Expires"), "date", "", ())],
    ),
]
