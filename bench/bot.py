"""Benchmark of the Telegram bot, end to end, against a bare python-telegram-bot echo bot.

Run: `.venv/bin/python -m bench.bot` (about 20 minutes; `--quick` takes about 3). Not part of
the tests.

The local Bot API server of the end-to-end tests (tests/support/http_api.py) drives many parents
at once through whole intakes (the script of every routing cell, by taps, as parents mostly
do). The real `intake bot` runs as a subprocess; beside it, in the same run, under the same
load from the same server, runs the floor: `bench.echo_bot`, which keeps no state and stores
nothing but makes the Bot API calls any bot with buttons must make for the same updates.

Reported for each: updates per second, the latency of an update (from the moment it is
queued until the bot's answer with its keyboard has arrived) at p50/p95/p99, the bot
process's CPU time per update (user + system, from /proc), and Bot API calls per update.
Then the ratios, and the intake bot's resident memory after 100 and after many more parents
(`--many`, 10,000 by default): what stays resident once the load is over and the bot has
handed freed memory back (VmRSS), and the peak during the load (VmHWM).

`--before DIR` adds a third contender in every round: the intake bot of another checkout
(say `git worktree add /tmp/before <commit>`), run with the same Python and load, so a change
is measured side by side: CPU per update of this checkout / the other.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.support import (
    EXPECTED_SUGGESTION,
    BotApiServer,
    Parent,
    bot_env,
    intake_script,
    over_http,
)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REPO = Path(__file__).resolve().parents[1]
#: Every routing cell's intake, by taps: 17 updates each.
SCRIPTS = [[what for what, _, _ in intake_script(b, p)] for b, p in sorted(EXPECTED_SUGGESTION)]
COMMANDS = {
    "intake": ["-m", "bot.cli", "bot"],
    "before": ["-m", "bot.cli", "bot"],
    "echo": ["-m", "bench.echo_bot"],
}
#: Where each contender's code comes from (``before``: set by --before).
SOURCES: dict[str, Path] = {"intake": REPO, "echo": REPO}
PROFILE = os.environ.get("BENCH_PROFILE")  # a folder: profile each bot with cProfile


@dataclass(frozen=True)
class Result:
    name: str
    parents: int
    updates: int
    seconds: float
    cpu_seconds: float
    latencies: Sequence[float]
    api_calls: int
    peak_rss_mib: float
    rss_mib: float = float("nan")  # resident after the load, once settled (memory runs only)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_per_update_ms(self) -> float:
        return self.cpu_seconds / self.updates * 1000

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mib(pid: int, field: str = "VmHWM") -> float:
    """The process's peak resident memory (or, with ``field="VmRSS"``, its current one)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


#: Before reading what stays resident, let the bot hand freed memory back (it does every 30 s).
SETTLE_SECONDS = 35


def pin(pid: int, cpu: int) -> None:
    """Keep a process on one CPU, so the bot and the load do not disturb each other's timing."""
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(pid, {cpu})


async def step(parent: Parent, what: str) -> None:
    """One update: a typed line, or a tap on the button with that code (the echo bot's only)."""
    if not what.startswith("tap:"):
        await parent.send(what)
        return
    message = parent.keyboard_message()
    buttons = [button for row in message["reply_markup"]["inline_keyboard"] for button in row]
    code = what.removeprefix("tap:")
    chosen = next((b for b in buttons if b["callback_data"].endswith(f"|{code}")), buttons[0])
    await parent.tap(chosen["text"], on=message)


async def one_parent(server: BotApiServer, script: list[str], latencies: list[float]) -> int:
    parent = Parent(server.api, over_http(server, timeout=120), language_code="en")
    for what in script:
        started = time.perf_counter()
        await step(parent, what)
        latencies.append(time.perf_counter() - started)
    server.api.forget(parent.chat_id)
    return len(script)


async def drive(server: BotApiServer, parents: int, concurrency: int) -> tuple[int, list[float]]:
    """``parents`` whole intakes, ``concurrency`` of them under way at any moment."""
    latencies: list[float] = []
    queue = iter(range(parents))

    async def worker() -> int:
        done = 0
        for number in queue:
            done += await one_parent(server, SCRIPTS[number % len(SCRIPTS)], latencies)
        return done

    counts = await asyncio.gather(*(worker() for _ in range(concurrency)))
    return sum(counts), latencies


async def measure(
    name: str, parents: int, concurrency: int, workdir: Path, warmup: int = 20, settle: bool = False
) -> Result:
    """Start a bot against a fresh server, warm it up, then time the load."""
    server = BotApiServer()
    server.api.keep_calls = False
    await server.start()
    env = {
        **os.environ,
        **bot_env(workdir / f"{name}-{parents}.db", TELEGRAM_API_BASE_URL=server.base_url),
        "PYTHONPATH": str(SOURCES[name]),  # bench/ is not an installed package
    }
    with (workdir / f"{name}-{parents}.log").open("wb") as log:
        profile = ["-m", "cProfile", "-o", f"{PROFILE}/{name}-{parents}.prof"] if PROFILE else []
        process = await asyncio.create_subprocess_exec(
            sys.executable, *profile, *COMMANDS[name], env=env, cwd=workdir, stdout=log, stderr=log
        )
    pin(process.pid, 1)
    try:
        await server.wait(lambda: "getUpdates" in server.requests, 60)
        await drive(server, min(warmup, parents), min(concurrency, warmup))
        calls_before = server.api.counts.total() - server.requests.count("getUpdates")
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        updates, latencies = await drive(server, parents, concurrency)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        calls = server.api.counts.total() - server.requests.count("getUpdates") - calls_before
        rss = peak_rss_mib(process.pid)
        if settle:
            await asyncio.sleep(SETTLE_SECONDS)
        resident = peak_rss_mib(process.pid, "VmRSS")
    except TimeoutError:
        log_tail = (workdir / f"{name}-{parents}.log").read_text()[-2000:]
        raise SystemExit(
            f"the {name} bot did not answer in time; its log ends:\n{log_tail}"
        ) from None
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        await server.close()
    return Result(name, parents, updates, seconds, cpu, latencies, calls, rss, resident)


def report(result: Result) -> str:
    return (
        f"{result.name:>7} {result.parents:>7} {result.rate:>9.0f} "
        f"{result.percentile(50):>7.1f} {result.percentile(95):>7.1f} "
        f"{result.percentile(99):>7.1f} {result.cpu_per_update_ms:>9.3f} "
        f"{result.api_calls / result.updates:>9.2f} {result.peak_rss_mib:>9.1f}"
    )


async def main(
    parents: int, many: int, concurrency: int, rounds: int, before: Path | None = None
) -> None:
    pin(0, 0)  # this process (the server and the parents) on the first CPU, the bot on the second
    print(
        f"{len(SCRIPTS)} intake scripts of {len(SCRIPTS[0])} updates; "
        f"{concurrency} parents under way at once, each answering as soon as the bot has"
    )
    print(
        f"{'bot':>7} {'parents':>7} {'updates/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'CPU ms/u':>9} {'calls/u':>9} {'peak MiB':>9}"
    )
    floors: list[Result] = []
    intakes: list[Result] = []
    befores: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        workdir = Path(tmp)
        for _ in range(rounds):  # alternated, so a noisy minute hits all alike
            floors.append(await measure("echo", parents, concurrency, workdir))
            print(report(floors[-1]), flush=True)
            if before is not None:
                befores.append(await measure("before", parents, concurrency, workdir))
                print(report(befores[-1]), flush=True)
            intakes.append(await measure("intake", parents, concurrency, workdir))
            print(report(intakes[-1]), flush=True)
        small = await measure("intake", 100, min(concurrency, 100), workdir, settle=True)
        print(report(small), flush=True)
        large = await measure("intake", many, concurrency, workdir, settle=True)
        print(report(large), flush=True)

    def median(results: list[Result], figure: str) -> float:
        return statistics.median(getattr(result, figure) for result in results)

    cpu = median(intakes, "cpu_per_update_ms") / median(floors, "cpu_per_update_ms")
    rate = median(intakes, "rate") / median(floors, "rate")
    p95 = statistics.median(r.percentile(95) for r in intakes) / statistics.median(
        r.percentile(95) for r in floors
    )
    print()
    print(f"CPU per update, intake / echo floor (medians): {cpu:.2f}x (target <= 1.3x)")
    print(f"updates per second, intake / echo floor: {rate:.2f}x")
    print(f"p95 latency, intake / echo floor: {p95:.2f}x")
    if befores:
        change = median(intakes, "cpu_per_update_ms") / median(befores, "cpu_per_update_ms")
        print(f"CPU per update, this checkout / {before} (medians): {change:.2f}x")
    print(
        f"RSS of the intake bot once settled, {many} / 100 parents: "
        f"{large.rss_mib / small.rss_mib:.3f}x ({small.rss_mib:.1f} -> {large.rss_mib:.1f} MiB)"
        " (target <= 1.05)"
    )
    print(
        f"peak RSS of the intake bot, {many} / 100 parents: "
        f"{large.peak_rss_mib / small.peak_rss_mib:.3f}x "
        f"({small.peak_rss_mib:.1f} -> {large.peak_rss_mib:.1f} MiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parents", type=int, default=1000, help="parents per comparison run")
    parser.add_argument("--many", type=int, default=10_000, help="parents for the memory check")
    parser.add_argument("--concurrency", type=int, default=20, help="parents under way at once")
    parser.add_argument("--rounds", type=int, default=2, help="comparison runs of each bot")
    parser.add_argument("--quick", action="store_true", help="200 and 2,000 parents, one round")
    parser.add_argument(
        "--before", type=Path, metavar="DIR", help="also run the intake bot of this checkout"
    )
    args = parser.parse_args()
    if args.quick:
        args.parents, args.many, args.rounds = 200, 2000, 1
    if args.before is not None:
        SOURCES["before"] = args.before.resolve()
    asyncio.run(main(args.parents, args.many, args.concurrency, args.rounds, args.before))
