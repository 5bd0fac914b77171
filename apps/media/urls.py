from django.urls import path

from . import views

workspace_urlpatterns = [
    path("content/<int:post_pk>/media/", views.media_attach, name="media_attach"),
    path("content/<int:post_pk>/carousel/", views.carousel, name="media_carousel"),
    path(
        "content/<int:post_pk>/carousel/style/", views.carousel_style, name="media_carousel_style"
    ),
    path("content/<int:post_pk>/preview/", views.post_preview, name="media_post_preview"),
    path("media/<int:pk>/", views.media_file, name="media_file"),
    path("media/<int:pk>/cover/", views.media_cover, name="media_cover"),
    path("media/<int:pk>/pages/<int:number>/", views.media_page, name="media_page"),
    path("media/<int:pk>/describe/", views.media_describe, name="media_describe"),
    path("media/<int:pk>/move/", views.media_move, name="media_move"),
    path("media/<int:pk>/remove/", views.media_remove, name="media_remove"),
]
