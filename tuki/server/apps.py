from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "tuki.server"
    verbose_name = "Tuki server"

    def ready(self) -> None:
        from tuki.lib import periodic
        from tuki.server import housekeeping, worker

        # Tasks whose worker stopped beating go back to the queue (worker.py).
        periodic.register("server.reclaim_lost_tasks", worker.reclaim_lost_tasks, every=15)
        periodic.register("server.forget_workers", housekeeping.forget_workers, every=3600)
        periodic.register(
            "server.delete_finished_tasks", housekeeping.delete_finished_tasks, every=3600
        )
