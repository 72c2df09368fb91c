from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accreditation.views import public as public_pages

from . import notify, views, views_accessibility, views_metrics, views_privacy, views_two_factor

users_patterns = (
    [
        path("", views.user_list, name="list"),
        path("invite/", views.user_invite, name="invite"),
        path("<int:user_id>/", views.user_detail, name="detail"),
        path(
            "<int:user_id>/resend-invitation/",
            views.user_resend_invitation,
            name="resend-invitation",
        ),
        path(
            "<int:user_id>/deactivate/",
            views.user_set_active,
            {"action": "deactivate"},
            name="deactivate",
        ),
        path(
            "<int:user_id>/reactivate/",
            views.user_set_active,
            {"action": "reactivate"},
            name="reactivate",
        ),
        path(
            "<int:user_id>/subject-access-export/",
            views_privacy.subject_access_export,
            name="subject-access-export",
        ),
        path(
            "<int:user_id>/reset-second-factor/",
            views_two_factor.reset,
            name="reset-second-factor",
        ),
    ],
    "users",
)

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views_metrics.metrics, name="metrics"),
    path("notify/delivery-status", notify.delivery_status, name="notify-delivery-status"),
    path("accessibility/", views_accessibility.statement, name="accessibility"),
    path("users/", include(users_patterns)),
    path("settings/", include("settings.urls")),
    path("programme/", include("accreditation.urls")),
    path("audits/", include("audits.urls")),
    # Public: the certificate check and the register of accredited settings.
    path("verify/", public_pages.verify, name="verify"),
    path("verify/<str:code>/", public_pages.verify_award, name="verify-award"),
    path("register/", public_pages.public_register, name="public-register"),
    path("account/login/", views.login_view, name="login"),
    path("account/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password-reset/", views.password_reset, name="password_reset"),
    path("account/password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "account/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("account/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path(
        "account/invitation/<uidb64>/<token>/",
        views.accept_invitation,
        name="accept-invitation",
    ),
    path("account/invitation/done/", views.invitation_complete, name="invitation_complete"),
    path("privacy/retention/", views_privacy.retention, name="privacy-retention"),
    path(
        "privacy/child-data-access/",
        views_privacy.child_data_access,
        name="privacy-child-data-access",
    ),
    path("account/two-factor/", views_two_factor.account, name="two-factor"),
    path("account/two-factor/setup/", views_two_factor.setup, name="two-factor-setup"),
    path("account/two-factor/verify/", views_two_factor.verify, name="two-factor-verify"),
    path("account/two-factor/recovery-codes/", views_two_factor.codes, name="two-factor-codes"),
    path("account/two-factor/passkeys/", include(views_two_factor.passkey_patterns)),
    path(
        "account/two-factor/passkeys/<int:passkey_id>/remove/",
        views_two_factor.remove_passkey,
        name="two-factor-remove-passkey",
    ),
    path(settings.KQM_ADMIN_PATH, admin.site.urls),
]
