"""FORM_RENDERER: `{{ form }}` and `{{ field.as_field_group }}` render Tuki's markup from one
template (templates/forms/field.html); the admin's forms render as before."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template

from tuki.lib.forms import BootstrapMixin


class ExampleForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label="Name", help_text="As on your badge")
    urgent = forms.BooleanField(label="Urgent", required=False)
    mode = forms.ChoiceField(
        label="Mode", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Something is off")


def test_a_field_group_has_label_widget_help_and_errors_tied_together():
    form = ExampleForm(data={"name": "", "mode": "a"})
    html = str(form["name"].as_field_group())
    assert '<div class="mb-3 ws-f-name">' in html
    assert '<label class="form-label" for="id_name">Name</label>' in html
    widget = re.search(r"<input [^>]*>", html).group(0)
    assert 'class="form-control is-invalid"' in widget and 'aria-invalid="true"' in widget
    assert 'aria-describedby="id_name_helptext id_name_error"' in widget
    assert '<div class="form-text" id="id_name_helptext">As on your badge</div>' in html
    assert (
        '<div class="invalid-feedback d-block" id="id_name_error"><div>This field is required.</div></div>'
        in html
    )


def test_the_whole_form_renders_through_the_same_template():
    form = ExampleForm(data={"name": "Maija", "mode": "a"})
    html = Template("{{ form }}").render(Context({"form": form}))
    assert '<div class="alert alert-danger py-2">Something is off </div>' in html
    assert html.count('<div class="mb-3 ws-f-') == 3
    assert '<div class="form-check"><input type="checkbox" name="urgent"' in html
    assert '<legend class="form-label fs-6">Mode</legend>' in html
    assert '<input type="hidden" name="token"' in html


def test_the_admin_forms_still_render(admin_client):
    response = admin_client.get("/admin/accounts/user/add/")
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()
