# Nguồn Quê — the two commands of the README:
#   make run    set everything up and serve the demo on http://127.0.0.1:8000/
#   make test   set everything up and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
GATEWAY_PORT ?= 8420
PORT ?= 8000

.PHONY: run test install system-deps browser lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,gateway]'
	touch $(STAMP)

install: $(STAMP)

# Fonts with Vietnamese glyphs for the label PDFs (DejaVu), from Debian.
system-deps:
	@if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core; \
	  else echo "Cần cài gói fonts-dejavu-core (sudo apt-get install fonts-dejavu-core) để in tem."; fi; \
	fi
	@# poppler-utils (pdftoppm): a test renders a label PDF the way a viewer would.
	@if ! command -v pdftoppm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; \
	  else echo "Nên cài poppler-utils (sudo apt-get install poppler-utils) để chạy đủ kiểm thử tem."; fi; \
	fi

# Debian's Chromium for the browser tests; installed when we are root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium is missing and we are not root: browser tests will be skipped."; fi; \
	fi

# The demo: seeded SQLite, the Whoosh index, the local card gateway, one
# task worker (label sheets, search index writes), the every-minute jobs of
# the README's cron table (unpaid orders past their hold, partner webhooks
# due for a retry, parcels without a post office) and the development server.
run: export TASKS_BACKEND = database
run: export GS1_COMPANY_PREFIXES = 8930001
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
# Demo e-mails go to var/mail/ (one file each), not over the console.
run: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
run: export EMAIL_FILE_PATH ?= var/mail
run: install system-deps
	@mkdir -p var/mail var/log
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --no-logins
	$(BIN)/python manage.py update_index
	@DEBUG=1 $(BIN)/python -m market.payments.local_gateway --port $(GATEWAY_PORT) >>var/log/gateway.log 2>&1 & GW=$$!; \
	  $(BIN)/python manage.py db_worker --queue-name '*' --no-startup-delay >>var/log/worker.log 2>&1 & WORKER=$$!; \
	  ( while sleep 60; do \
	      $(BIN)/python manage.py cancel_expired_orders >>var/log/jobs.log 2>&1; \
	      $(BIN)/python manage.py retry_webhooks >>var/log/jobs.log 2>&1; \
	      $(BIN)/python manage.py assign_parcels >>var/log/jobs.log 2>&1; \
	      $(BIN)/python manage.py retry_notifications >>var/log/jobs.log 2>&1; \
	    done ) & JOBS=$$!; \
	  trap 'kill $$GW $$WORKER $$JOBS 2>/dev/null' EXIT INT TERM; \
	  PAYMENT_GATEWAY_URL=http://127.0.0.1:$(GATEWAY_PORT) $(BIN)/python manage.py \
	    register_gateway_webhook --site http://127.0.0.1:$(PORT) || exit 1; \
	  $(BIN)/python manage.py demo_logins --site http://127.0.0.1:$(PORT) \
	    --gateway http://127.0.0.1:$(GATEWAY_PORT) --logs var/log; \
	  DEBUG=1 PAYMENT_GATEWAY_URL=http://127.0.0.1:$(GATEWAY_PORT) \
	  $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Two or more processes (pytest-xdist), one test file each at a time.
test: install system-deps browser
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3* var staticfiles
