"""compose.yaml, the team sandbox (issue #23), checked without a Docker engine: Redis with its health check, two
mockums replicas built from this repository's Dockerfile with the store URL, distinct replica names, a control token
required and a health check on mockums' health endpoint, and an nginx balancer whose configuration names both. What
the replicas are given is read as `mockums serve` reads its environment, and their health check runs against a real
sandbox."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockums import cli
from mockums.config import Settings
from mockums.environment import apply_environment
from mockums.testing import BackgroundServer

REPO = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
REPLICAS = ("mockums-1", "mockums-2")
STORE = "redis://redis:6379/0"


def interpolated(value: object, **variables: str) -> str:
    """A compose value with `${NAME:-default}` and `${NAME:?message}` filled in from `variables` (a `:?` without
    its variable fails, as compose does)."""
    def fill(match: re.Match[str]) -> str:
        name, kind, rest = match.group(1), match.group(2), match.group(3)
        if name in variables:
            return variables[name]
        assert kind == ":-", f"compose would refuse to start without {name}: {rest}"
        return rest

    return re.sub(r"\$\{(\w+)(:[-?])([^}]*)\}", fill, str(value))


def test_the_services_are_redis_two_replicas_and_a_balancer() -> None:
    assert set(SERVICES) == {"redis", *REPLICAS, "balancer"}
    redis = SERVICES["redis"]
    assert redis["image"].startswith(("redis:", "valkey/valkey:"))
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/data" in " ".join(redis["volumes"])  # kept across a redeploy


def test_each_replica_is_this_repository_s_image_on_the_shared_store_with_a_health_check() -> None:
    names = set()
    for name in REPLICAS:
        replica = SERVICES[name]
        assert replica["build"] == "." and (REPO / "Dockerfile").is_file()
        assert replica["depends_on"] == {"redis": {"condition": "service_healthy"}}
        environment = {key: interpolated(value, MOCKUMS_CONTROL_TOKEN="t0k3n")
                       for key, value in replica["environment"].items()}
        assert environment["MOCKUMS_STORE"] == STORE
        names.add(environment["MOCKUMS_REPLICA"])
        # Read as `mockums serve` reads its environment: every variable is an option, with a valid value.
        serve = cli.subcommand(cli.build_parser(), "serve")
        args = serve.parse_args([])
        assert sorted(apply_environment(serve, args, environment)) == sorted(environment)
        settings = cli.settings_from_args(args)
        assert (settings.store, settings.replica, settings.workers) == (STORE, name, 1)
        assert settings.control_token == "t0k3n"  # the control API is reached through the network: a token
        test = replica["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"] and "/__mockums/health" in test[3]
    assert names == set(REPLICAS)


def test_compose_refuses_to_start_without_a_control_token() -> None:
    for name in REPLICAS:
        with pytest.raises(AssertionError, match="without MOCKUMS_CONTROL_TOKEN"):
            interpolated(SERVICES[name]["environment"]["MOCKUMS_CONTROL_TOKEN"])


def test_the_balancer_is_nginx_in_front_of_both_replicas() -> None:
    balancer = SERVICES["balancer"]
    assert balancer["image"].startswith("nginx:") and balancer["ports"] == ["8000:8000"]
    assert balancer["depends_on"] == {name: {"condition": "service_healthy"} for name in REPLICAS}
    assert "/__mockums/health" in " ".join(balancer["healthcheck"]["test"])
    [mount] = balancer["volumes"]
    source, target, mode = mount.split(":")
    assert (target, mode) == ("/etc/nginx/nginx.conf", "ro")
    conf = (REPO / source).read_text(encoding="utf-8")
    [upstream] = re.findall(r"upstream (\w+) \{(.*?)\}", conf, re.S)
    assert re.findall(r"^\s*server (\S+?):8000\b", upstream[1], re.M) == list(REPLICAS)
    assert f"proxy_pass http://{upstream[0]};" in conf and "listen 8000;" in conf
    assert "proxy_set_header Host $http_host;" in conf  # mockums sees the Host the client used


def test_the_replicas_health_check_passes_against_a_real_sandbox() -> None:
    command = SERVICES["mockums-1"]["healthcheck"]["test"][3]
    with BackgroundServer(Settings()) as url:
        port = url.rsplit(":", 1)[1]
        done = subprocess.run([sys.executable, "-c", command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")],
                              check=False, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
