"""Forms of the Documents pages (the rules live in actions.py; forms only parse)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.documents.models import AccessLevel
from novasaas.platform.text import Form


class UploadForm(Form):
    file = forms.FileField(label=_("File (PDF, DOCX, XLSX, text or image)"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("The file name when empty."))
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas."))


class VersionForm(Form):
    file = forms.FileField(label=_("New version"))
    comment = forms.CharField(label=_("What changed"), max_length=300, required=False)


class FolderForm(Form):
    name = forms.CharField(label=_("Folder name"), max_length=120)


class DocumentEditForm(Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas."))


class CommentForm(Form):
    body = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ShareLinkForm(Form):
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=7)
    password = forms.CharField(
        label=_("Password (optional)"), required=False, max_length=128, widget=forms.PasswordInput(render_value=False)
    )


class ShareUserForm(Form):
    user = forms.TypedChoiceField(label=_("Member"), coerce=int)

    def __init__(self, *args: object, members: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].choices = members or []  # type: ignore[attr-defined]


class GrantForm(Form):
    """One row of the folder permission form: a role or a member, and a level."""

    role_code = forms.ChoiceField(label=_("Role"), required=False)
    user = forms.TypedChoiceField(label=_("Member"), coerce=int, required=False, empty_value=None)
    level = forms.TypedChoiceField(label=_("Access"), coerce=int, choices=AccessLevel.choices)


class SettingsForm(Form):
    quota_mb = forms.IntegerField(label=_("Storage quota (MB)"), min_value=0, max_value=100_000_000)
    max_file_mb = forms.IntegerField(label=_("Largest file (MB)"), min_value=1, max_value=2048)
    trash_retention_days = forms.IntegerField(label=_("Days kept in the trash"), min_value=1, max_value=3650)


class LinkPasswordForm(Form):
    password = forms.CharField(label=_("Password"), max_length=128, widget=forms.PasswordInput)
