from wagtail import hooks

from engagement.viewsets import AdvisersGroup


@hooks.register("register_admin_viewset")
def register_advisers():
    return AdvisersGroup()
