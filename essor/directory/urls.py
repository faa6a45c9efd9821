"""Directory URLs, in three parts kept in separate modules: public pages, back-office, imports."""

from essor.directory.urls_import import urlpatterns as import_urls
from essor.directory.urls_public import urlpatterns as public_urls
from essor.directory.urls_staff import urlpatterns as staff_urls

app_name = "directory"
urlpatterns = public_urls + staff_urls + import_urls
