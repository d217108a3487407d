"""Menu entries of the AI assistant (part of CORE)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(module="CORE", label=_("AI assistant"), url_name="ai-chat", permission="core.ai.chat", icon="bi-robot")
)
register_nav(
    NavEntry(module="CORE", label=_("AI tokens"), url_name="ai-tokens", permission="core.ai.manage", icon="bi-key")
)
register_nav(
    NavEntry(
        module="CORE",
        label=_("AI knowledge"),
        url_name="ai-knowledge",
        permission="core.ai.upload",
        icon="bi-journal-text",
    )
)
