"""The tree a staff page of the admin names, for those who may see it: written once for the release,
analytics and graph pages."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from carmsupport.admin_input import key_or_404

from .models import Tree


def tree_for_staff(model_admin, request, object_id, *, change=False):
    """The tree `object_id` names, if this staff member may see it (or change it, with `change`).

    Who may not see trees at all is refused before the tree is looked up, so the answer never tells
    whether a tree exists; an id that names no tree is a 404.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    tree = get_object_or_404(Tree.objects.select_related("current_release"), pk=key_or_404(Tree, object_id))
    allowed = (
        model_admin.has_change_permission(request, tree) if change else model_admin.has_view_permission(request, tree)
    )
    if not allowed:
        raise PermissionDenied
    return tree
