"""A media row's file leaves storage when the row is deleted (a removal, the post's or the
workspace's deletion), and only once the deletion is committed: a rolled-back delete keeps
its file."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import CarouselStyle, MediaPage, PostMedia


def _delete_file_on_commit(field_file) -> None:
    if not field_file or not field_file.name:
        return
    storage, name = field_file.storage, field_file.name
    transaction.on_commit(lambda: storage.delete(name))


@receiver(post_delete, sender=PostMedia, dispatch_uid="media.delete_post_media_file")
def delete_post_media_file(sender, instance: PostMedia, **kwargs) -> None:
    _delete_file_on_commit(instance.file)
    _delete_file_on_commit(instance.cover)


@receiver(post_delete, sender=MediaPage, dispatch_uid="media.delete_page_image")
def delete_page_image(sender, instance: MediaPage, **kwargs) -> None:
    _delete_file_on_commit(instance.image)


@receiver(post_delete, sender=CarouselStyle, dispatch_uid="media.delete_logo_file")
def delete_logo_file(sender, instance: CarouselStyle, **kwargs) -> None:
    _delete_file_on_commit(instance.logo)
