from django.urls import path

from novasaas.ai import views as v
from novasaas.platform.transactions import register_self_managed

# the streamed answer calls the provider: it runs outside the request transaction (see gateway.py)
register_self_managed("/ai/chat/answer/")

urlpatterns = [
    path("chat/", v.ChatView.as_view(), name="ai-chat"),
    path("chat/<int:pk>/", v.ChatView.as_view(), name="ai-conversation"),
    path("chat/answer/<int:pk>/", v.AnswerView.as_view(), name="ai-answer"),
    path("tokens/", v.TokensView.as_view(), name="ai-tokens"),
    path("tokens/keys/", v.KeyAddView.as_view(), name="ai-key-add"),
    path("tokens/keys/<int:pk>/revoke/", v.KeyRevokeView.as_view(), name="ai-key-revoke"),
    path("tokens/budget/", v.BudgetSaveView.as_view(), name="ai-budget-save"),
    path("tokens/wallet/", v.WalletSaveView.as_view(), name="ai-wallet-save"),
    path("tokens/purchase/", v.PackBuyView.as_view(), name="ai-pack-buy"),
    path("tokens/report/", v.UsageReportView.as_view(), name="ai-usage-report"),
    path("knowledge/", v.KnowledgeView.as_view(), name="ai-knowledge"),
    path("knowledge/<int:pk>/delete/", v.KnowledgeDeleteView.as_view(), name="ai-knowledge-delete"),
]
