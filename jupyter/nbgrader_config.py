"""The course's nbgrader exchange: release, fetch, submit, collect and feedback on one machine.

Read by every nbgrader command in the course (the course's nbgrader_config.py loads it) and, through
JUPYTER_CONFIG_PATH, by the notebook server of `make lab`, whose Assignment List reads it from the
students' folder. No root and no set-up: the exchange is a folder inside the course. For a class on
a shared server, point Exchange.root at a folder every student can write to (or use JupyterHub's).
"""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
COURSE = Path(__file__).resolve().parent.parent

c.CourseDirectory.course_id = "pytorch-course"
c.Exchange.root = str(COURSE / "build" / "exchange")
# Fetched assignments land in my_work/, which no course command overwrites (exercises/ is regenerated).
c.Exchange.assignment_dir = str(COURSE / "my_work")
try:
    Path(c.Exchange.root).mkdir(parents=True, exist_ok=True)  # nbgrader wants it to exist
except OSError:
    pass  # a read-only copy of the course: nbgrader says so when an exchange command needs it
