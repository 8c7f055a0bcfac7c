# The course's commands. Each one sets up .venv on first use (offline-friendly: pip reads the
# wheels this machine provides, pinned by constraints.txt) and, as root with apt-get, the system
# packages bubblewrap (the grader's sandbox), postgresql (the sharded-grading tests) and chromium
# (the browser tests of JupyterLab and nbgrader).
#
#   make course   execute every notebook, regenerate exercises/, autograde, print a report
#   make test     the whole test suite (what CI runs)
#   make lab      JupyterLab on the course: nbgrader, the course's Validate button, a local exchange
#   make my-work  students: copy the exercises into my_work/ to answer them (never overwrites)
#
# Smaller steps: make setup | system | release | check | smoke | lock | clean

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
READY  := $(VENV)/.ready
# nbgrader shells out to `alembic`, and papermill finds its kernel through `python`: both must
# come from the course environment.
export PATH := $(BIN):$(PATH)
export PYTHONUNBUFFERED := 1

.PHONY: help system setup course smoke test lab my-work release check lock clean

help:
	@sed -n '/^#/!q; s/^# \{0,1\}//p' Makefile

# Debian packages from outside pip: `bwrap` sandboxes the grader (without it the grader warns and
# runs unsandboxed), PostgreSQL serves the sharded-grading tests, Chromium the browser tests
# (Playwright drives Debian's /usr/bin/chromium, not a browser of its own). Installed only when
# missing, and only as root with apt-get (CI); anywhere else one line says what to install, and
# make goes on.
system:
	@missing=; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	{ command -v initdb || ls /usr/lib/postgresql/*/bin/initdb || ls "$$(pg_config --bindir)/initdb"; } \
	    >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing system packages:$$missing ..."; log=$$(mktemp); \
	    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	           --no-install-recommends $$missing; } >"$$log" 2>&1; then cat "$$log"; rm -f "$$log"; exit 1; fi; \
	    rm -f "$$log"; \
	elif command -v apt-get >/dev/null 2>&1; then \
	    echo "Missing system packages:$$missing (install: sudo apt-get install$$missing). Going on without them."; \
	else \
	    echo "Missing system packages:$$missing (install them with your package manager, e.g. brew install postgresql; bubblewrap is Linux-only). Going on without them."; \
	fi

$(READY): pyproject.toml constraints.txt | system
	@echo "Setting up $(VENV) (first run takes a few minutes: PyTorch is large) ..."
	@start=$$(date +%s); \
	$(PYTHON) -m venv $(VENV) && \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -c constraints.txt -e ".[course,dev]" && \
	echo "Set-up took $$(( $$(date +%s) - start )) s."
	@touch $@

setup: $(READY)

course: $(READY)
	$(BIN)/python -m helpers.course course

smoke: $(READY)
	$(BIN)/python -m helpers.course course --smoke

test: $(READY)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Jupyter refuses to run as root unless told; containers and CI often are root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# JupyterLab's terminals: bash with the course's .venv activated (jupyter/bashrc).
BASH_TERMINAL := "--ServerApp.terminado_settings={'shell_command': ['bash', '--init-file', '$(CURDIR)/jupyter/bashrc', '-i']}"
LAB_TERMINAL := $(if $(shell command -v bash),$(BASH_TERMINAL))

# jupyter/ holds the course's server settings: its Validate button (helpers/course/lab.py) in
# place of nbgrader's, and nbgrader's course-local exchange (build/exchange/) and students' folder
# (my_work/), which the Assignment List reads from there.
lab: $(READY)
	@mkdir -p my_work
	JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter" COURSE_VENV="$(abspath $(VENV))" \
	    $(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_TERMINAL) $(LAB_ARGS)

# Students: your own copies of the exercises in my_work/ (run it again for new assignments).
my-work: $(READY)
	$(BIN)/python -m helpers.course my-work

release: $(READY)
	$(BIN)/python -m helpers.course release

check: $(READY)
	$(BIN)/python -m helpers.course check

lock: $(READY)
	@{ sed -n '1,/^# Regenerate/p' constraints.txt; \
	   $(BIN)/python -m pip freeze --exclude-editable | grep -v '^pytorch-course-helpers'; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt && echo "constraints.txt updated; update environment.yml to match."

clean:
	rm -rf build .pytest_cache
