"""The `tuki` command: Django's manage.py under Tuki's name."""

import os
import sys

from tuki.lib.env import private_umask


def main() -> None:
    private_umask()  # the database, keys, uploads and logs are Tuki's user's only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuki.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
