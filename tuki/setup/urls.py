app_name = "setup"

urlpatterns: list[object] = []
