from django.urls import path

from apps.core import views

urlpatterns = [
    path("", views.mail_list, name="dev_mail_list"),
    path("<int:pk>/", views.mail_detail, name="dev_mail_detail"),
]
