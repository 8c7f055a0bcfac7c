"""``nbgrader zip_collect`` for what a learning platform hands back: any file name a class produces.

A student who works in Colab downloads ``Copy of 00_..._exercises.ipynb``; a second
download is ``... (1).ipynb``; the platform adds its own prefix (Canvas:
``smithalice_late_1234_5678_<file>``). nbgrader's own collector skips every
notebook whose name is not the released one. :class:`CourseCollector` reads the
student id and file name with the same ``named_regexp`` as nbgrader's (matched
against the file's name, not its whole path), then files a renamed copy under
the released notebook's name, and the only notebook of a one-notebook assignment
under that notebook's name. ``nbgrader_config.py`` selects it.
"""

import os
from pathlib import Path

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

from helpers.course.repair import is_copy_of


class CourseCollector(FileNameCollectorPlugin):
    """nbgrader's file-name collector, forgiving about what copies and downloads do to a notebook's name."""

    def _released_notebooks(self) -> list[str]:
        app = self.parent
        if app is None or not getattr(app, "coursedir", None):
            return []
        folder = Path(app.coursedir.format_path(app.coursedir.release_directory, ".", app.coursedir.assignment_id))
        return sorted(p.name for p in folder.glob("*.ipynb"))

    def collect(self, submitted_file: str) -> dict | None:
        """The student id and notebook name of one downloaded file (``None``: skip it)."""
        _, ext = os.path.splitext(submitted_file)
        if ext not in self.valid_ext:
            return None
        info = self._match(os.path.basename(submitted_file))
        if not info or not info.get("file_id"):
            return info or None
        name = os.path.basename(info["file_id"])
        released = self._released_notebooks()
        if ext == ".ipynb" and name not in released:
            copies = [r for r in released if is_copy_of(name, r)]
            if copies or len(released) == 1:
                chosen = (copies or released)[0]
                self.log.info("Collecting %r as %s", name, chosen)
                info["file_id"] = chosen
        return info
