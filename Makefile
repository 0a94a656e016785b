# Bastion: `make run` serves the demo, `make test` runs the whole suite. Both install what they need.
PORT ?= 8000
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python

.PHONY: install run test lint format bench messages clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# python-ldap (single sign-on) compiles against OpenLDAP's headers: Debian's, installed if missing.
/usr/include/ldap.h:
	@command -v apt-get >/dev/null && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null; } \
	  || echo "python-ldap needs the OpenLDAP and SASL headers (Debian: libldap2-dev libsasl2-dev)"

.venv/.synced: pyproject.toml uv.lock | $(UV) /usr/include/ldap.h
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static_build/.copied: node_modules/.installed scripts/copy-assets.mjs
	npm run --silent copy-assets
	@touch $@

install: .venv/.synced static_build/.copied

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "演示账号 Demo logins (password: bastion-demo): admin, company, county, secretary, member"
	@echo "Serving http://127.0.0.1:$(PORT)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py db_worker >/dev/null 2>&1 & worker=$$!; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache --no-logo

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

messages: install
	$(PY) manage.py makemessages -l en -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=.tools

clean:
	rm -rf .venv $(TOOLS) node_modules static_build static_root
