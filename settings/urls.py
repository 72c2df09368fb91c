from django.urls import path

from . import views

app_name = "settings"

urlpatterns = [
    path("<int:setting_id>/", views.setting_detail, name="detail"),
]
