"""Benchmark of the Telegram bot, end to end, against a bare python-telegram-bot echo bot.

Run: `.venv/bin/python -m bench.bot` (about 25 minutes; `--quick` takes about 8). Not part of
the tests.

The local Bot API server of the end-to-end tests (tests/support/http_api.py) drives many parents
at once through whole intakes (the script of every routing cell: /start typed, then 14 taps,
as parents mostly do). The real `intake bot` runs as a subprocess; beside it, in the same run,
under the same load from the same server, runs the floor: `bench.echo_bot`, which keeps no
state and stores nothing but makes the Bot API calls a bot with buttons usually makes for the
same updates (a tap: answerCallbackQuery, editMessageReplyMarkup, sendMessage).

The contenders take turns: every round runs each once, in an order that rotates from round
to round, so that a noisy minute on a shared machine hits all of them alike. What is
compared is the ratio within each round (paired), reported as the median over the rounds with
its spread (lowest to highest); a single run's figure is not trusted alone. All of this is
done at each `--concurrency` (parents under way at once; 10 and 50 by default).

Reported for each run: updates per second, the latency of an update (from the moment it is
queued until the bot's answer with its keyboard has arrived) at p50/p95/p99, the bot
process's CPU time per update (user + system, from /proc), Bot API calls per update (never
counting getUpdates) and peak memory. Then, per contender, Bot API calls per tap by method
(the typed /start's calls taken out), and the intake bot's resident memory after 100 and after
many more parents (`--many`, 10,000 by default): what stays resident once the load is over and
the bot has handed freed memory back (VmRSS), and the peak during the load (VmHWM).

`--before DIR...` adds a contender in every round for each folder given: the intake bot of
another checkout (say `git worktree add /tmp/before <commit>`), run with the same Python and
load, so a change is measured side by side: CPU per update of this checkout / the other. With
several checkouts, one for each change in turn, one run gives each change's share.

`BENCH_PROFILE=DIR` runs every bot under cProfile and leaves the profiles in DIR.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
#: Every routing cell's intake, by taps after a typed /start: 15 updates each.
SCRIPTS = [[what for what, _, _ in intake_script(b, p)] for b, p in sorted(EXPECTED_SUGGESTION)]
INTAKE = ["-m", "bot.cli", "bot"]
COMMANDS = {"intake": INTAKE, "echo": ["-m", "bench.echo_bot"]}
#: Where each contender's code comes from (``before1``, ``before2``...: set by --before).
SOURCES: dict[str, Path] = {"intake": REPO, "echo": REPO}
PROFILE = os.environ.get("BENCH_PROFILE")  # a folder: profile each bot with cProfile
#: Calls that are not answers to an update: the bot asking for updates.
NOT_ANSWERS = frozenset({"getUpdates"})


@dataclass(frozen=True)
class Result:
    name: str
    parents: int
    concurrency: int
    updates: int
    taps: int
    seconds: float
    cpu_seconds: float
    latencies: Sequence[float]
    calls: Counter[str]  # Bot API calls by method during the load, getUpdates left out
    typed_calls: Counter[str]  # those of them that answered a typed update
    peak_rss_mib: float
    rss_mib: float = float("nan")  # resident after the load, once settled (memory runs only)

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_per_update_ms(self) -> float:
        return self.cpu_seconds / self.updates * 1000

    @property
    def calls_per_update(self) -> float:
        return self.calls.total() / self.updates

    def calls_per_tap(self) -> dict[str, float]:
        """Bot API calls per tap, by method (what answered typed updates taken out)."""
        taps = self.calls - self.typed_calls
        return {method: count / self.taps for method, count in sorted(taps.items())}

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


@dataclass
class Load:
    """What the parents did and saw during one run."""

    updates: int = 0
    taps: int = 0
    latencies: list[float] = field(default_factory=list)
    typed_calls: Counter[str] = field(default_factory=Counter)


async def step(parent: Parent, what: str) -> None:
    """One update: a typed line, or a tap on the button with that code (the echo bot's only)."""
    if not what.startswith("tap:"):
        await parent.send(what)
        return
    message = parent.keyboard_message()
    buttons = [button for row in message["reply_markup"]["inline_keyboard"] for button in row]
    code = what.removeprefix("tap:")
    chosen = next((b for b in buttons if b["callback_data"].split("|")[2:3] == [code]), buttons[0])
    await parent.tap(chosen["text"], on=message)


async def one_parent(server: BotApiServer, script: list[str], load: Load) -> None:
    parent = Parent(server.api, over_http(server, timeout=120), language_code="en")
    for what in script:
        typed = not what.startswith("tap:")
        before = Counter(server.api.chat_counts[parent.chat_id]) if typed else None
        started = time.perf_counter()
        await step(parent, what)
        load.latencies.append(time.perf_counter() - started)
        load.updates += 1
        if before is None:
            load.taps += 1
        else:  # nothing of a typed update is answered later than its message with a keyboard
            load.typed_calls += server.api.chat_counts[parent.chat_id] - before
    server.api.forget(parent.chat_id)


async def drive(server: BotApiServer, parents: int, concurrency: int) -> Load:
    """``parents`` whole intakes, ``concurrency`` of them under way at any moment."""
    load = Load()
    queue = iter(range(parents))

    async def worker() -> None:
        for number in queue:
            await one_parent(server, SCRIPTS[number % len(SCRIPTS)], load)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return load


def answers(server: BotApiServer) -> Counter[str]:
    """The Bot API calls so far, by method, without the bot's asking for updates."""
    return Counter({m: n for m, n in server.api.counts.items() if m not in NOT_ANSWERS})


async def measure(
    name: str,
    parents: int,
    concurrency: int,
    workdir: Path,
    warmup: int = 20,
    settle: bool = False,
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
    label = f"{name}-{parents}-{concurrency}"
    with (workdir / f"{label}.log").open("wb") as log:
        profile = ["-m", "cProfile", "-o", f"{PROFILE}/{label}.prof"] if PROFILE else []
        process = await asyncio.create_subprocess_exec(
            sys.executable, *profile, *COMMANDS[name], env=env, cwd=workdir, stdout=log, stderr=log
        )
    pin(process.pid, 1)
    try:
        await server.wait(lambda: "getUpdates" in server.requests, 60)
        await drive(server, min(warmup, parents), min(concurrency, warmup))
        calls_before = answers(server)
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        load = await drive(server, parents, concurrency)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        calls = answers(server) - calls_before
        rss = peak_rss_mib(process.pid)
        if settle:
            await asyncio.sleep(SETTLE_SECONDS)
        resident = peak_rss_mib(process.pid, "VmRSS")
    except TimeoutError:
        log_tail = (workdir / f"{label}.log").read_text()[-2000:]
        raise SystemExit(
            f"the {name} bot did not answer in time; its log ends:\n{log_tail}"
        ) from None
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()
        await server.close()
    return Result(
        name,
        parents,
        concurrency,
        load.updates,
        load.taps,
        seconds,
        cpu,
        load.latencies,
        calls,
        load.typed_calls,
        rss,
        resident,
    )


HEADER = (
    f"{'bot':>8} {'parents':>7} {'at once':>7} {'updates/s':>9} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'p99 ms':>7} {'CPU ms/u':>9} {'calls/u':>8} {'peak MiB':>9}"
)


def report(result: Result) -> str:
    return (
        f"{result.name:>8} {result.parents:>7} {result.concurrency:>7} {result.rate:>9.0f} "
        f"{result.percentile(50):>7.1f} {result.percentile(95):>7.1f} "
        f"{result.percentile(99):>7.1f} {result.cpu_per_update_ms:>9.3f} "
        f"{result.calls_per_update:>8.2f} {result.peak_rss_mib:>9.1f}"
    )


def spread(values: Sequence[float]) -> str:
    """The median of paired ratios, with the lowest and highest of them."""
    return (
        f"{statistics.median(values):.2f}x "
        f"(spread {min(values):.2f}-{max(values):.2f} over {len(values)} rounds)"
    )


def paired(
    results: dict[str, list[Result]], top: str, bottom: str, figure: Callable[[Result], float]
) -> str:
    """``figure`` of ``top`` over that of ``bottom``, round by round."""
    pairs = zip(results[top], results[bottom], strict=True)
    return spread([figure(a) / figure(b) for a, b in pairs])


Figure = Callable[[Result], float]


def cpu(result: Result) -> float:
    return result.cpu_per_update_ms


def comparisons(names: Sequence[str]) -> list[tuple[str, str, str, Figure]]:
    """What is compared, each as (words, contender, the one it is set against, figure): the
    intake bot and each earlier checkout against the floor, and each checkout against the
    one before it (the share of the change between them)."""
    found: list[tuple[str, str, str, Figure]] = [
        ("CPU per update, intake / echo floor", "intake", "echo", cpu),
        ("updates per second, intake / echo floor", "intake", "echo", lambda r: r.rate),
        ("p95 latency, intake / echo floor", "intake", "echo", lambda r: r.percentile(95)),
    ]
    befores = [name for name in names if name.startswith("before")]
    found += [(f"CPU per update, {name} / echo floor", name, "echo", cpu) for name in befores]
    chain = [*befores, "intake"]
    found += [
        (f"CPU per update, {later} / {earlier}", later, earlier, cpu)
        for earlier, later in itertools.pairwise(chain)
    ]
    return found


def by_method(results: list[Result]) -> str:
    """Calls per tap by method, summed over the rounds (the counts barely vary)."""
    taps = sum(result.taps for result in results)
    calls: Counter[str] = Counter()
    for result in results:
        calls += result.calls - result.typed_calls
    parts = [f"{method} {count / taps:.2f}" for method, count in sorted(calls.items())]
    return f"{', '.join(parts)} = {calls.total() / taps:.2f}"


async def compare(
    parents: int, concurrency: int, rounds: int, names: Sequence[str], workdir: Path
) -> dict[str, list[Result]]:
    """``rounds`` runs of each contender at one concurrency, taking turns."""
    results: dict[str, list[Result]] = {name: [] for name in names}
    for number in range(rounds):
        # The order rotates, so that no contender always runs first (or after the same one).
        shift = number % len(names)
        for name in (*names[shift:], *names[:shift]):
            results[name].append(await measure(name, parents, concurrency, workdir))
            print(report(results[name][-1]), flush=True)
    print(f"  at {concurrency} parents at once, medians of paired ratios:")
    for words, top, bottom, figure in comparisons(names):
        print(f"  {words}: {paired(results, top, bottom, figure)}")
    for name, runs in results.items():
        print(f"  Bot API calls per tap, {name}: {by_method(runs)}")
    return results


async def main(
    parents: int,
    many: int,
    concurrencies: Sequence[int],
    rounds: int,
    befores: Sequence[Path] = (),
) -> None:
    pin(0, 0)  # this process (the server and the parents) on the first CPU, the bot on the second
    names = ["echo"]
    for number, folder in enumerate(befores, 1):
        name = f"before{number}"
        COMMANDS[name], SOURCES[name] = INTAKE, folder.resolve()
        names.append(name)
        print(f"{name}: the intake bot of {folder}")
    names.append("intake")
    print(
        f"{len(SCRIPTS)} intake scripts of {len(SCRIPTS[0])} updates (/start typed, the rest "
        f"tapped); each parent answers as soon as the bot has; {rounds} rounds"
    )
    print(HEADER)
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        workdir = Path(tmp)
        for concurrency in concurrencies:
            await compare(parents, concurrency, rounds, names, workdir)
        small = await measure("intake", 100, min(concurrencies[0], 100), workdir, settle=True)
        print(report(small), flush=True)
        large = await measure("intake", many, concurrencies[0], workdir, settle=True)
        print(report(large), flush=True)
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
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[10, 50],
        help="parents under way at once (each value compared in turn)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="comparison runs of each bot")
    parser.add_argument(
        "--quick", action="store_true", help="200 parents a run and 2,000 for memory"
    )
    parser.add_argument(
        "--before",
        type=Path,
        nargs="+",
        default=[],
        metavar="DIR",
        help="also run the intake bot of each of these checkouts (oldest first)",
    )
    args = parser.parse_args()
    if args.quick:
        args.parents, args.many = 200, 2000
    if args.rounds < 3:
        parser.error("--rounds: at least 3 (a median of fewer is no better than one run)")
    asyncio.run(main(args.parents, args.many, args.concurrency, args.rounds, args.before))
