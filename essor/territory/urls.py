from django.urls import path

from essor.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.territory_list, name="list"),
    path("<slug:slug>/", views.territory_detail, name="detail"),
]
