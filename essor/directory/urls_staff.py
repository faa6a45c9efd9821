from django.urls import path

from essor.directory.views import profile, staff

urlpatterns = [
    # Self-service of the structures.
    path("structures/<int:pk>/revendiquer/", profile.claim, name="claim"),
    path("structures/<int:pk>/modifier/", profile.profile_edit, name="profile_edit"),
    # The agency's back-office.
    path("gestion/", staff.staff_home, name="staff_home"),
    path("gestion/structures/", staff.organisation_list, name="staff_organisation_list"),
    path(
        "gestion/structures/nouvelle/",
        staff.organisation_create,
        name="staff_organisation_create",
    ),
    path("gestion/structures/<int:pk>/", staff.organisation_edit, name="staff_organisation_edit"),
    path(
        "gestion/structures/<int:pk>/fusionner/",
        staff.organisation_merge,
        name="staff_organisation_merge",
    ),
    path("gestion/modifications/", staff.revision_list, name="revision_list"),
    path("gestion/modifications/<int:pk>/", staff.revision_detail, name="revision_detail"),
    path("gestion/demandes/", staff.claim_list, name="claim_list"),
    path("gestion/journal/", staff.audit_log, name="audit_log"),
]
