from django.urls import path

from tuki.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("app/", views.totp_add, name="totp_add"),
    path("app/<int:pk>/remove/", views.totp_remove, name="totp_remove"),
    path("passkeys/options/", views.passkey_options, name="passkey_options"),
    path("passkeys/", views.passkey_add, name="passkey_add"),
    path("passkeys/<int:pk>/remove/", views.passkey_remove, name="passkey_remove"),
    path("recovery-codes/", views.recovery_regenerate, name="recovery_regenerate"),
    path("browsers/forget/", views.browsers_forget, name="browsers_forget"),
    path("verify/", views.verify, name="verify"),
    path("verify/passkey/options/", views.verify_passkey_options, name="verify_passkey_options"),
    path("verify/passkey/", views.verify_passkey, name="verify_passkey"),
    path("check/", views.check, name="check"),
    path("check/passkey/options/", views.check_passkey_options, name="check_passkey_options"),
    path("check/passkey/", views.check_passkey, name="check_passkey"),
    path("policy/", views.policy, name="policy"),
    path("people/<int:user_id>/", views.person, name="person"),
]
