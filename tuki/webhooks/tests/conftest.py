from tuki.webhooks.tests.receiver import receiver  # noqa: F401
