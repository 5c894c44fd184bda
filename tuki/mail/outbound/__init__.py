"""Mail going out: planned with the ticket change that causes it (planning), composed
(compose) and delivered by a task with retries (sending)."""
