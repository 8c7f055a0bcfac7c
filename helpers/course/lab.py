"""The course's Jupyter server extension: nbgrader's *Validate* button with a per-exercise scorecard.

nbgrader's button posts to ``/assignments/validate`` and shows what comes back:
its own handler returns every failing cell's whole source and traceback. This
one answers the same request with :func:`helpers.course.validating.validate`,
shaped so that nbgrader's unchanged dialog renders it: the scorecard (a line per
exercise and the points so far) where it would show a cell's source, and each
failing exercise's message below it. When everything passes it answers as
nbgrader does, and the dialog says so.

``make lab`` enables it in place of nbgrader's ``validate_assignment`` extension
(``jupyter/jupyter_server_config.d/course.json``).
"""

import html
import json
import traceback
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from helpers.course.project import load_project
from helpers.course.validating import validate
from helpers.scorecard import Scorecard


#: Hides the dialog's "The following cell failed:" line (the scorecard is not a cell) and wraps long hints.
_DIALOG_STYLE = (
    '<span class="course-scorecard"></span>'
    "<style>#validation-message:has(.course-scorecard) > div:first-child { display: none; }"
    " #validation-message:has(.course-scorecard) pre { white-space: pre-wrap; }</style>"
)


def dialog_value(card: Scorecard) -> dict:
    """The scorecard in the shape nbgrader's Validate dialog renders (``{}`` means all passed)."""
    if card.passed:
        return {}
    messages = "".join(
        f"<b>{html.escape(title)}</b>\n{html.escape(message)}\n\n" for title, message in card.details()
    )
    error = _DIALOG_STYLE + (messages.rstrip() or "&nbsp;")
    return {"failed": [{"source": card.summary(), "error": error, "raw_error": str(card)}]}


class ValidateHandler(JupyterHandler):
    """``POST /assignments/validate`` with ``path``: validate that notebook, answer with the scorecard."""

    @web.authenticated
    def post(self) -> None:
        try:
            path = self.get_argument("path")
        except web.MissingArgumentError:
            path = self.get_json_body()["path"]
        root = Path(self.settings["root_dir"]).resolve()
        target = (root / path).resolve()
        if not target.is_relative_to(root):
            raise web.HTTPError(403, "Access denied: path outside allowed directory")
        try:
            reply = {"success": True, "value": dialog_value(validate(load_project(root), target))}
        except Exception:  # noqa: BLE001 - the dialog shows what went wrong instead of hanging
            self.log.error(traceback.format_exc())
            reply = {"success": False, "value": traceback.format_exc(limit=-3)}
        self.finish(json.dumps(reply))


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "helpers.course.lab"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Serve nbgrader's two validate routes (the version check is nbgrader's own)."""
    from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler

    web_app = server_app.web_app
    web_app.settings["root_dir"] = server_app.root_dir
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base, "assignments/validate"), ValidateHandler),
        (url_path_join(base, "nbgrader_version"), NbGraderVersionHandler),
    ])
