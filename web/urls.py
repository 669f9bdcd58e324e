from django.contrib.auth.views import LogoutView
from django.urls import path

from .site import site
from .views.auth import LoginView

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("", site.urls),
]
