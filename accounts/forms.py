"""Forms of the sign-in pages."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return re.sub(r"[\s-]", "", self.cleaned_data["token"]).lower()
