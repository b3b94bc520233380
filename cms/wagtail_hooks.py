from django.core.exceptions import PermissionDenied
from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks
from wagtail.models import BaseViewRestriction


@hooks.register("insert_global_admin_css")
def tandem_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/admin.css"))


@hooks.register("before_serve_document", order=-1)
def refuse_restricted_documents_to_signed_in_people(document, request):
    """Wagtail sends anyone a restricted document refuses to the login page, which sends
    someone already signed in straight back: a redirect loop. They get a plain 403."""
    if not request.user.is_authenticated:
        return
    for restriction in document.collection.get_view_restrictions():
        if restriction.restriction_type in {
            BaseViewRestriction.LOGIN,
            BaseViewRestriction.GROUPS,
        } and not restriction.accept_request(request):
            raise PermissionDenied
