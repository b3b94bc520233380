from wagtail import hooks

from payments.viewsets import HonorariumViewSet


@hooks.register("register_admin_viewset")
def register_honoraria():
    return HonorariumViewSet()
