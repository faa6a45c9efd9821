from django.urls import path

from essor.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("notifications/", views.notification_preferences, name="notification_preferences"),
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("inscription/", views.signup, name="signup"),
    path("inscription/envoyee/", views.signup_done, name="signup_done"),
    path("inscription/creer/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path("mot-de-passe/oublie/envoye/", views.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("mot-de-passe/modifier/", views.password_change, name="password_change"),
    path("mot-de-passe/modifie/", views.password_change_done, name="password_change_done"),
    path("structures/<int:pk>/membres/", views.members, name="members"),
    path("structures/<int:pk>/inviter/", views.invite, name="invite"),
    path("invitations/<int:pk>/annuler/", views.revoke_invitation, name="revoke_invitation"),
    path("invitations/accepter/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("appartenances/<int:pk>/role/", views.change_role, name="change_role"),
    path("appartenances/<int:pk>/retirer/", views.remove_member, name="remove_member"),
]
