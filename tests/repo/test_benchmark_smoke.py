"""The benchmark's pieces work, on a handful of requests (the benchmark itself is run by hand, not here)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_instructions
import bench_load
import bench_requests
import bench_servers
import bench_spread
from scenario_terms import terms

from mockums.lines import DEFAULT_REGISTRY
from mockums.protocol.gateway_errors import DEFAULT_GATEWAY_ERRORS
from mockums.scenarios import ScenarioRegistry, load_text

ENDPOINTS = DEFAULT_REGISTRY.endpoints


def test_the_generated_scenarios_load_and_match_none_of_the_benchmark_ids() -> None:
    result = load_text(bench_requests.scenario_yaml(30), "bench.yaml", allowed=terms(DEFAULT_GATEWAY_ERRORS.keys(), ENDPOINTS.keys()))
    assert result.errors == () and len(result.scenarios) == 30
    kinds = {s.match.kind.value for s in result.scenarios}
    assert kinds == {"merOrderId", "merOrderIdPrefix", "merOrderIdPattern"}
    registry = ScenarioRegistry(result.scenarios)
    for order_id in (bench_load.FIXED_ID, "3194M00000000001"):
        assert registry.choose(bench_load.CLOSE, {"merOrderId": order_id}).scenario is None


@pytest.mark.parametrize("kind", ["bare", "minimal"])
async def test_the_asyncio_client_drives_a_baseline(kind: str, tmp_path: Path) -> None:
    loads, dumps = json.loads, lambda data: json.dumps(data).encode()
    app = bench_servers.bare_app(dumps) if kind == "bare" else bench_servers.minimal_app(loads, dumps)
    requests = bench_load.write_requests(tmp_path / "new.txt", "new", 5, "T")
    lines = requests.read_text(encoding="utf-8").splitlines()
    async with TestServer(app, host=bench_load.HOST) as server:
        payloads = [bench_load._http_request(line, server.port) for line in lines]
        figures = await bench_load._drive(server.port, bench_load.Load("new", 2, 5.0, 12), payloads)
    # Every signature verifies (the minimal handler answers 401 otherwise), ids cycle after 5.
    assert (figures.requests, figures.errors, figures.wrapped) == (12, 0, 2)
    assert 0 < figures.p50_ms <= figures.p99_ms


def test_the_report_shows_rates_cpu_and_ratios_to_both_baselines() -> None:
    def run(rate: float, cpu: float, **answers: int) -> bench_requests.Run:
        return bench_requests.Run(bench_load.Figures(int(rate * 5), 5.0, 1.0, 3.0, 0), 50.0, cpu, answers, 1.0)

    results = {"bare-fixed": [run(20000, 45)], "minimal-fixed": [run(10000, 70)],
               "mockums-fixed": [run(5000, 140, SUCCESS=200)], "mockums-10": [run(5000, 140)],
               "mockums-10000": [run(4800, 145)]}
    table = bench_requests.report(results, argparse.Namespace())
    assert "| mockums-fixed | 5,000 | 1.00 | 3.00 | 50 | 140 | 0.25 | 0.50 | 0.50 | SUCCESS 200 | 1.00 |" in table
    assert "10,000 scenarios vs 10: 0.96× the throughput" in table


def test_the_wrk_scripts_are_complete(tmp_path: Path) -> None:
    for template in (bench_load.WRK_SCRIPT, bench_load.FIXED_SCRIPT):
        script = template % {"path": tmp_path / "r.txt", "target": bench_load.CLOSE}
        assert "%(" not in script and 'RESULT {"requests": %d' in script


def test_the_docs_publish_the_benchmarks_table_and_commands_it_accepts() -> None:
    """The README's Performance section and the "Performance" page: their commands are the benchmarks' own (they
    parse; running them takes minutes, so the suite does not), and the page's table has the columns the benchmark
    prints."""
    import readme as docs

    section = docs.page("background/performance.md")
    readme = (docs.ROOT / "README.md").read_text(encoding="utf-8")
    scripts = {"benchmarks/bench_requests.py": bench_requests.parse_args, "benchmarks/bench_spread.py": bench_spread.parse_args,
               "benchmarks/bench_instructions.py": bench_instructions.parse_args}
    commands = [line.split() for text in (section, readme) for block in text.split("```console\n")[1:]
                for line in block.split("```")[0].splitlines() if line.startswith(".venv/bin/python benchmarks/")]
    assert {command[1] for command in commands} == set(scripts)
    assert len(commands) >= 4
    for command in commands:
        scripts[command[1]](command[2:])  # exits (SystemExit) on an argument the benchmark does not take
    header = bench_requests.report({}, bench_requests.parse_args([])).splitlines()[0]
    assert header in section
    performance = readme.split("## Performance\n", 1)[1].split("\n## ", 1)[0]
    assert "median of 5 rounds" in performance and "first run | second run" in performance


def test_the_instruction_count_is_read_from_callgrinds_totals_line() -> None:
    """A run whose counting is switched on later writes `summary: 0` before the count it gives as `totals:`."""
    output = "version: 1\ncmd: python bench_servers.py\nsummary: 0\ntotals: 594191000\n"
    assert bench_instructions.counted_total(output) == 594_191_000
    with pytest.raises(ValueError, match="no totals"):
        bench_instructions.counted_total("version: 1\n")
    with pytest.raises(SystemExit):
        bench_instructions.parse_args(["--cases", "fixed,slow"])
    for bounds in (["--connections", "0"], ["--connections", "2", "--duration", "301"], ["--rounds", "0"],
                   ["--rounds", "21"]):
        with pytest.raises(SystemExit):
            bench_instructions.parse_args(bounds)
    assert bench_instructions.parse_args(["--minimal", "--connections", "32"]).duration == 20
    assert bench_instructions.parse_args(["--rounds", "5"]).rounds == 5
    assert bench_instructions._spread([640_493, 650_857, 631_002]) == "640,493 (631,002-650,857)"
