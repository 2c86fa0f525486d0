# mockums — a local sandbox of the ChinaUMS payment API, as a container.
#
#   docker build -t mockums .
#   docker run --rm -p 8000:8000 mockums
#   docker run --rm -p 8000:8000 -v "$PWD/my-scenarios:/scenarios:ro" mockums \
#       serve --host 0.0.0.0 --port 8000 -s /scenarios
#   docker run --rm -v "$PWD/my-scenarios:/scenarios:ro" mockums check /scenarios
#
# tests/test_dockerfile.py checks this file without a Docker engine: hadolint, the contract
# below (healthcheck, port, non-root user, bind address), and a replay of the COPY + pip steps
# into a fresh virtual environment followed by a real server start and this HEALTHCHECK command.
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

# Install from the copied source, drop the source (the installed wheel carries the scenarios),
# and create the unprivileged user the server runs as.
RUN pip install --no-cache-dir . \
    && rm -rf /tmp/mockums-src \
    && groupadd --gid 10001 mockums \
    && useradd --uid 10001 --gid mockums --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin mockums

WORKDIR /
USER 10001:10001

EXPOSE 8000

# No curl/wget in the slim image: ask the health endpoint with the standard library.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import json, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/__mockums/health', timeout=4); sys.exit(0 if r.status == 200 and json.load(r).get('status') == 'ok' else 1)"]

# Exec form, so `docker stop`'s SIGTERM reaches mockums (it shuts down cleanly on it).
# Inside the container the server must listen on 0.0.0.0 for the published port to work, and the
# control API must accept calls that arrive through the container network (add --control-token
# TOKEN to protect it).
# Arguments given to `docker run IMAGE ...` replace CMD: e.g. `check /scenarios`.
ENTRYPOINT ["mockums"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--control-remote"]
