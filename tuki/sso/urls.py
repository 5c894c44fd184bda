from django.urls import path

from tuki.sso import views

app_name = "sso"

urlpatterns = [
    path("find/", views.find, name="find"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("<int:pk>/saml/acs/", views.saml_acs, name="saml_acs"),
    path("<int:pk>/saml/metadata/", views.saml_metadata, name="saml_metadata"),
    path("<int:pk>/saml/sls/", views.saml_sls, name="saml_sls"),
]
