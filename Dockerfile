# mockums — a local sandbox of the ChinaUMS payment API, as a container.
#
#   docker build -t mockums .
#   docker run --rm -p 8000:8000 mockums
#   docker run --rm -p 8000:8000 -v "$PWD/my-scenarios:/scenarios:ro" -e MOCKUMS_SCENARIOS=/scenarios mockums
#   docker run --rm -v "$PWD/my-scenarios:/scenarios:ro" mockums check /scenarios
#
# Every `mockums serve` option is also a MOCKUMS_… environment variable (`docker run -e`, compose's
# `environment:`); the image sets the three a container needs below.
#
# tests/repo/test_dockerfile.py checks this file without a Docker engine: hadolint, the contract
# below (healthcheck, port, non-root user, bind address, options from the environment, stop signal),
# and a replay of the COPY + pip steps into a fresh virtual environment followed by a real server
# start with the image's command and environment, this HEALTHCHECK command, and a SIGTERM.
FROM python:3.11-slim

LABEL org.opencontainers.image.title="mockums" \
      org.opencontainers.image.description="A local sandbox of the ChinaUMS open-platform payment API" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the wheel build needs: the project metadata, the readme it names, the package, and
# the bundled scenarios (force-included into the wheel as mockums/_bundled_scenarios).
WORKDIR /tmp/mockums-src
COPY pyproject.toml README.md ./
COPY mockums/ mockums/
COPY scenarios/ scenarios/

# Install from the copied source (with the tls extra, so MOCKUMS_TLS=1 works, and the redis one, so
# MOCKUMS_STORE=redis://… does; orjson comes by default),
# drop the source (the installed wheel carries the scenarios), and create the unprivileged user the
# server runs as.
RUN pip install --no-cache-dir "./[tls,redis]" \
    && rm -rf /tmp/mockums-src \
    && groupadd --gid 10001 mockums \
    && useradd --uid 10001 --gid mockums --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin mockums

WORKDIR /
USER 10001:10001

EXPOSE 8000

# Inside the container the server must listen on all interfaces for the published port to work, and
# the control API must accept calls that arrive through the container network (set
# MOCKUMS_CONTROL_TOKEN to protect it). Any other option: `-e MOCKUMS_…` (see the README's table).
ENV MOCKUMS_HOST=0.0.0.0 \
    MOCKUMS_PORT=8000 \
    MOCKUMS_CONTROL_REMOTE=1

# No curl/wget in the slim image: ask the health endpoint with the standard library, on the port and
# scheme the environment says (a certificate made by --tls is not in the image's trust store, and
# this only asks the server next to it).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import json, os, ssl, sys, urllib.request; tls = os.environ.get('MOCKUMS_TLS', '').lower() in ('1', 'true', 'yes', 'on') or bool(os.environ.get('MOCKUMS_TLS_CERT')); url = ('https' if tls else 'http') + '://127.0.0.1:' + os.environ.get('MOCKUMS_PORT', '8000') + '/__mockums/health'; r = urllib.request.urlopen(url, timeout=4, context=ssl._create_unverified_context() if tls else None); sys.exit(0 if r.status == 200 and json.load(r).get('status') == 'ok' else 1)"]

# `docker stop` sends this, then waits 10 s before it kills: mockums exits cleanly within a few seconds
# of it, even with a connection held open. Exec form, so the signal reaches mockums itself (PID 1)
# rather than a /bin/sh wrapper.
STOPSIGNAL SIGTERM
# Arguments given to `docker run IMAGE ...` replace CMD: e.g. `check /scenarios`, or `serve --seed 7`.
ENTRYPOINT ["mockums"]
CMD ["serve"]
