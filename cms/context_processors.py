from django.utils.functional import SimpleLazyObject

from cms.selectors import site_shell_for_request


def site_shell(request):
    """The header, navigation and footer content, loaded only when a template uses it."""
    return {"shell": SimpleLazyObject(lambda: site_shell_for_request(request))}
