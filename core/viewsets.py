"""Wagtail admin building blocks for records that only change through services."""

from django.urls import path
from wagtail.admin.ui.tables import Column, RelatedObjectsColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy


class ViewOnlyPolicy(ModelPermissionPolicy):
    """Staff may list and inspect; every change goes through a service instead of a form."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and self.user_has_permission(user, "view")


class ViewOnlyViewSet(ModelViewSet):
    """A listing and a detail page, with no generic add, edit or delete views at all."""

    inspect_view_enabled = True

    @property
    def permission_policy(self):
        return ViewOnlyPolicy(self.model)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class AddOnlyPolicy(ModelPermissionPolicy):
    """Records that are never edited or deleted once written (append-only)."""

    def user_has_permission(self, user, action):
        return action in {"view", "add"} and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NoDeletePolicy(ModelPermissionPolicy):
    """Records that are kept: closing them is a transition, not a deletion."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class NoCopyModelViewSet(ModelViewSet):
    """Wagtail's copy view binds its form to the original row, so "copy" would save over it
    (and over a consent statement people already agreed to). Tandem never offers it."""

    copy_view_enabled = False


class LabelledColumn(Column):
    """A listing cell that carries its column's name, so that on a phone, where the table
    stacks into one card per row, each value keeps its label (see static/css/admin.css).
    Empty values show a dash, never "None"."""

    cell_template_name = "tables/labelled_cell.html"


class LabelledDateColumn(LabelledColumn):
    """A date in UK style (30 Nov 2026) rather than "3 days ago"."""

    cell_template_name = "tables/labelled_date_cell.html"


class LabelledRelatedObjectsColumn(RelatedObjectsColumn):
    cell_template_name = "tables/labelled_related_objects_cell.html"
