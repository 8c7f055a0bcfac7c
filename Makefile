# The course's commands. Each one sets up .venv on first use (offline-friendly: pip reads the
# wheels this machine provides, pinned by constraints.txt).
#
#   make course   execute every notebook, regenerate exercises/, autograde, print a report
#   make test     the whole test suite (what CI runs)
#   make lab      JupyterLab on the course, nbgrader extension enabled
#
# Smaller steps: make setup | release | check | smoke | lock | clean

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
READY  := $(VENV)/.ready
# nbgrader shells out to `alembic`, and papermill finds its kernel through `python`: both must
# come from the course environment.
export PATH := $(BIN):$(PATH)
export PYTHONUNBUFFERED := 1

.PHONY: help setup course smoke test lab release check lock clean

help:
	@sed -n '1,9p' Makefile | sed 's/^# \{0,1\}//'

$(READY): pyproject.toml constraints.txt
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

lab: $(READY)
	$(BIN)/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

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
