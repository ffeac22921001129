"""Any change to a tree's nodes or choices gives the tree a new revision."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Choice, Node, Tree


@receiver([post_save, post_delete], sender=Node)
def node_changed(sender, instance, **kwargs):
    Tree.touch(pk=instance.tree_id)


@receiver([post_save, post_delete], sender=Choice)
def choice_changed(sender, instance, **kwargs):
    Tree.touch(nodes__pk=instance.question_id)
