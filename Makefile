# Bastion: `make run` serves the demo (gunicorn, DEBUG off), `make dev` is the autoreloading
# development server, `make test` runs the whole suite. All of them install what they need.
PORT ?= 8000
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: install run dev database static test lint format bench messages clean

# uv in a venv of its own. Without pip in it when the system pip can install into another
# environment (pip 22.3+): bootstrapping pip into a new venv costs more than uv itself.
PIP_QUIET := --quiet --disable-pip-version-check
$(UV):
	@$(PYTHON) -m venv --without-pip $(TOOLS) && \
	  $(PYTHON) -m pip --python $(TOOLS)/bin/python install $(PIP_QUIET) uv==$(UV_VERSION) 2>/dev/null \
	  || { $(PYTHON) -m venv --clear $(TOOLS) && $(TOOLS)/bin/pip install $(PIP_QUIET) uv==$(UV_VERSION); }

# python-ldap (single sign-on) compiles against OpenLDAP's headers: Debian's, installed if missing.
/usr/include/ldap.h:
	@command -v apt-get >/dev/null && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null; } \
	  || echo "python-ldap needs the OpenLDAP and SASL headers (Debian: libldap2-dev libsasl2-dev)"

.venv/.synced: pyproject.toml uv.lock | $(UV) /usr/include/ldap.h
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

# What serving needs, without the development tools (test runners, browser driver, linters);
# `make run` installs only this, other targets the whole lock (.venv/.synced).
.venv/.runtime: pyproject.toml uv.lock | $(UV) /usr/include/ldap.h
	@if [ .venv/.synced -nt uv.lock ] && [ .venv/.synced -nt pyproject.toml ]; then touch $@; \
	  else $(UV) sync --frozen --no-dev --inexact --python $(PYTHON) && touch $@; fi

# Serving needs only the packages whose files it copies; `make test` also installs the
# devDependencies (oidc-provider: the OpenID Connect provider the single sign-on tests start).
node_modules/.runtime: package.json package-lock.json
	@if [ node_modules/.installed -nt package-lock.json ] && [ node_modules/.installed -nt package.json ]; \
	  then touch $@; else $(NPM_CI) --omit=dev && touch $@; fi

node_modules/.installed: package.json package-lock.json
	$(NPM_CI)
	@touch $@

static_build/.copied: node_modules/.runtime scripts/copy-assets.mjs
	npm run --silent copy-assets
	@touch $@

install: .venv/.synced static_build/.copied

# The database (migrations, then the demo company when it holds no organization yet) and the
# static files (npm packages, collectstatic) do not wait for each other: `make run` builds both
# at once, so the npm download and file copying overlap the migrations.
database: .venv/.runtime
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --if-empty --skip-checks

static: static_root/staticfiles.json

# Collected again only when a source changed: the npm assets, ours, or the Python packages'
# (admin, API docs); hashing and compressing every file takes several seconds.
static_root/staticfiles.json: .venv/.runtime static_build/.copied $(shell find static -type f)
	$(MANAGE) collectstatic --noinput --verbosity 0 --skip-checks
	@touch $@

# A server compiles each module once for all its processes (some shells turn that off).
run dev: export PYTHONDONTWRITEBYTECODE :=

# Gunicorn (deploy/gunicorn.conf.py: workers sized to the machine, logs to stdout) and the
# background worker beside it; Ctrl-C stops both. DEBUG stays off unless the environment says
# otherwise, so this is the site as it runs on a server, on 127.0.0.1 only.
run: .venv/.runtime
	@echo "准备数据库、演示数据与静态文件（首次运行约需 1～2 分钟）…"
	@mkdir -p static_build  # the migrations' system check looks for it before npm has filled it
	@$(MAKE) --no-print-directory -j2 database static
	@echo "演示账号 Demo logins (password: bastion-demo): admin, company, county, secretary, member"
	@echo "Serving http://127.0.0.1:$(PORT)  (Ctrl-C stops the server and the worker)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(MANAGE) worker & worker=$$!; \
	  GUNICORN_BIND=127.0.0.1:$(PORT) GUNICORN_PRELOAD=1 .venv/bin/gunicorn -c deploy/gunicorn.conf.py bastion.wsgi

# For developers: Django's autoreloading server with DEBUG on, and the worker (reloading too).
dev: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --if-empty --skip-checks
	@echo "演示账号 Demo logins (password: bastion-demo): admin, company, county, secretary, member"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(MANAGE) worker --reload & worker=$$!; \
	  DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

test: node_modules/.installed install
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache --no-logo

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# `make bench SCALE=national` measures the national dataset (on PostgreSQL: BENCH_DATABASE_URL).
bench: install
	$(PY) bench/run.py $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)

messages: install
	$(PY) manage.py makemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=.tools

clean:
	rm -rf .venv $(TOOLS) node_modules static_build static_root
