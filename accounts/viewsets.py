from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from accounts.forms import WagtailUserCreationForm, WagtailUserEditForm


class UserViewSet(WagtailUserViewSet):
    # Wagtail's copy view saves its form over the row it copies from.
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return WagtailUserEditForm if for_update else WagtailUserCreationForm
