from django.forms.renderers import DjangoTemplates


class TandemFormRenderer(DjangoTemplates):
    """Render every form with labels, hints and errors tied together for assistive tech."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
