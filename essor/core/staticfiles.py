"""A static files finder for npm packages that ship their files at the package's root, with no
`dist` folder to publish whole (swagger-ui-dist: its root also holds package.json, a demo page and
an initializer pointing at someone else's API). Only the files named in
settings.PUBLISHED_NPM_FILES are published, under vendor/<package>/."""

import os

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage


class NpmFilesFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        node_modules = settings.NPM_NODE_MODULES
        # {"vendor/<package>/<file>": absolute path}, for the files that are installed.
        self.files = {}
        self.storages = {}
        for package, names in settings.PUBLISHED_NPM_FILES.items():
            root = os.path.join(node_modules, package)
            storage = FileSystemStorage(location=root)
            storage.prefix = f"vendor/{package}"
            for name in names:
                if os.path.isfile(os.path.join(root, name)):
                    self.files[f"vendor/{package}/{name}"] = os.path.join(root, name)
                    self.storages.setdefault(package, []).append((name, storage))

    def find(self, path, find_all=False, **kwargs):
        found = self.files.get(path.replace(os.sep, "/"))
        if found is None:
            return []  # as Django's finders answer: finders.find() then tries the next one
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for entries in self.storages.values():
            yield from entries
