"""nbgrader configuration for the course (read by every `nbgrader` command run here)."""

from pathlib import Path

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file
COURSE = Path(__file__).resolve().parent

# Instructors write assignments in solutions/; nbgrader generates the student
# versions into exercises/, which is committed (see `make release`).
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
# The course id, the course-local exchange (build/exchange/) and the students' folder (my_work/) are set in
# jupyter/nbgrader_config.py, which `make lab` also hands to the notebook server.
load_subconfig("nbgrader_config.py", path=str(COURSE / "jupyter"))  # noqa: F821 - provided by nbgrader
c.CourseDirectory.ignore = [".ipynb_checkpoints", "__pycache__", "*.pyc", "models", "data"]

# Training cells take longer than nbgrader's default of 30 seconds per cell.
c.Execute.timeout = 600
# A warning or progress bar on stderr must not cost points: the grading kernel
# sends stderr to stdout. Errors still fail a test cell.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=ERROR",  # no "running over TCP" warning per submission
    "--IPKernelApp.exec_lines=from helpers.course.kernel import route_stderr_to_stdout; route_stderr_to_stdout()",
]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.Autograde.create_student = True

# `nbgrader zip_collect` (learning-platform downloads): Colab's "Copy of X.ipynb", "X (1).ipynb" and a
# lone renamed notebook are all filed as the released notebook (helpers/course/collect.py). The
# default file names are Canvas's, "<name>[_late]_<user id>_<submission id>_<file>"; for Moodle's
# "<Full Name>_<id>_assignsubmission_file_<file>" use
# r"(?P<student_id>.+?)_\d+_assignsubmission_file_(?P<file_id>.+)".
c.ZipCollectApp.collector_plugin = "helpers.course.collect.CourseCollector"
c.CourseCollector.named_regexp = r"(?P<student_id>[^_]+)_(?:late_)?\d+_\d+_(?P<file_id>.+)"
