"""Seeded whole-system simulation on the books: random operations across every product against the invariants.

Run it from the command line::

    python tests/simulation/simulate.py --seed 7 --steps 100000 [--db run.db]

Each step is one random product activity of :class:`antfin.ecosystem.world.World`
(shopping through escrow — paid from the wallet or with Huabei — with refunds and disputes, Yu'ebao purchases and
redemptions, Zhaocaibao subscriptions, liquidations and reservations, Huabei,
Jiebei and MYbank loans, Ant Dake, service fees), a payday that tops up a tenth of
the wallets, a jump of one or more days, or the replay of an earlier idempotency
key, each in its own books transaction. With ``--db`` the books are an SQLite
file that is closed and reopened at random steps, and the state read back after
a reopen must equal the state before it. After every step the invariants are
checked:

- the ledger balances per currency, no non-negative account is below zero
  (pending holds included), every hold is resolved at most once
  (:meth:`Ledger.check_invariants`);
- escrow: for every trade, paid − released − refunded from escrow = what is
  still in escrow = the pending hold, and all refunds together never exceed
  what was paid (refunds after release come from the seller's wallet);
- Yu'ebao: fund units = Σ of the ledger's position balances (the units are the positions);
- loans: balance = principal − repaid principal, against the ledger;
- Zhaocaibao: escrows, reservations and holdings agree with the ledger;
- every stored aggregate loads and passes its checks (:meth:`antfin.Books.check`);
- replaying a key (a product call or a ledger transfer) changes nothing.

A failure names the seed and step; the same seed replays it exactly.
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import attrs

from antfin.books import KINDS, Books, Transaction
from antfin.calendar import SHANGHAI
from antfin.ecosystem.day import Day
from antfin.ecosystem.world import World, WorldConfig, WorldProgress
from antfin.errors import AntfinError, IdempotencyConflictError, InvariantViolationError
from antfin.ledger import HoldStatus, Ledger
from antfin.money import Money
from antfin.payments import EscrowTrade
from antfin.payments.refunds import RefundStage
from antfin.serialization import to_data

__all__ = ["SimulationFailedError", "SimulationWorld", "simulate"]

_FINAL = ("TRADE_FINISHED", "TRADE_CLOSED")


class SimulationFailedError(AssertionError):
    """An invariant broke; the message names the seed and the step."""


@attrs.frozen
class Replay:
    """A keyed call the world made, as it can be made again in a later transaction."""

    what: str
    kind: str | None  # the repository of the entity whose method it was; None for a ledger function
    target: str | None
    call: str | Callable[..., object]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def resolve(self, tx: Transaction) -> tuple[Callable[..., object], tuple[Any, ...], object]:
        """The callable, its arguments and the entity it acts on (or the ledger), in ``tx``."""
        if self.kind is None:
            assert callable(self.call)
            return self.call, (tx.ledger, *self.args), tx.ledger
        assert isinstance(self.call, str)
        assert self.target is not None
        entity = tx._repository(self.kind).get(self.target)
        return getattr(entity, self.call), self.args, entity


class SimulationDay(Day):
    """A day that remembers its recent keyed calls so the simulation can replay them."""

    def __init__(self, tx: Transaction, progress: WorldProgress, rng: random.Random, recent: list[Replay]) -> None:
        super().__init__(tx, progress, rng)
        self.recent = recent

    def _try(self, what: str, action: Callable[..., object], /, *args: Any, **kwargs: Any) -> bool:
        done = super()._try(what, action, *args, **kwargs)
        replay = _replayable(what, action, args, kwargs)
        if done and replay is not None:
            self.recent.append(replay)
            del self.recent[:-64]
        return done


def _replayable(
    what: str, action: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Replay | None:
    owner = getattr(action, "__self__", None)
    if owner is None:  # a ledger function: book_service_fee(ledger, key, ...)
        if args and isinstance(args[0], Ledger) and len(args) > 1 and str(args[1]).startswith("demo:"):
            return Replay(what, None, None, action, args[1:], kwargs)
        return None
    if not (args and isinstance(args[0], str) and args[0].startswith("demo:")):
        return None
    for name, kind in KINDS.items():
        if isinstance(owner, kind.cls):
            return Replay(what, name, kind.id_of(owner), action.__name__, args, kwargs)
    return None


class SimulationWorld(World):
    """A world whose days remember their keyed calls."""

    def __init__(self, books: Books, config: WorldConfig, day: int) -> None:
        super().__init__(books, config, day)
        self.recent: list[Replay] = []

    def make_day(self, tx: Transaction, progress: WorldProgress, rng: random.Random) -> Day:
        return SimulationDay(tx, progress, rng, self.recent)


def _state(entity: object) -> object:
    """An aggregate's state as the books store it."""
    for kind in KINDS.values():
        if isinstance(entity, kind.cls):
            return kind.dump(entity)
    return to_data(entity)


def _snapshot(ledger: Ledger) -> tuple[object, ...]:
    balances = tuple(
        (account.id, ledger.balance(account.id), ledger.pending(account.id)) for account in ledger.accounts()
    )
    holds = tuple((hold.id, hold.status) for hold in ledger.holds())
    return balances, holds, len(ledger.entries())


def _check_trade(trade: EscrowTrade, ledger: Ledger) -> None:
    from_escrow = sum(
        (refund.amount for refund in trade.refunds if refund.stage is RefundStage.FROM_ESCROW), trade.paid * 0
    )
    expected = trade.paid - trade.released - from_escrow
    if trade.in_escrow != expected:
        raise InvariantViolationError(
            f"trade {trade.out_trade_no}: in escrow {trade.in_escrow}, "
            f"paid - released - refunded from escrow = {expected}"
        )
    if trade.refunded > trade.paid:
        raise InvariantViolationError(f"trade {trade.out_trade_no}: refunded {trade.refunded} > paid {trade.paid}")
    if trade.hold_id is not None:
        hold = ledger.get_hold(trade.hold_id)
        held = hold.amount if hold.status is HoldStatus.PENDING else hold.amount.currency.zero()
        if held != trade.in_escrow:
            raise InvariantViolationError(f"trade {trade.out_trade_no}: hold {held} but in escrow {trade.in_escrow}")


def check_world(world: World, *, full: bool = True) -> None:
    """Every invariant the simulation promises (raises InvariantViolationError).

    ``full`` also checks every stored aggregate and recomputes the ledger from
    all its entries and holds (:meth:`antfin.Books.check`); otherwise the ledger
    is checked through its running totals and the open aggregates only.
    """
    if full:
        world.check()
    with world.books.read() as tx:
        ledger = tx.ledger
        if not ledger.trial_balance().is_balanced:
            raise InvariantViolationError(f"the trial balance does not balance: {ledger.trial_balance().totals}")
        for account in ledger.accounts():
            if account.non_negative and ledger.available(account.id).is_negative():
                raise InvariantViolationError(f"{account.id} is at {ledger.available(account.id)} net of holds")
        fund = tx.funds.find("yuebao")
        if fund is not None:
            fund.check_invariants()
            fund.check_positions()
        platform = tx.zhaocaibao.find("zhaocaibao")
        if platform is not None:
            platform.check_invariants()
        for loan_id in tx.loans.ids("ACTIVE"):
            tx.loans.get(loan_id).check_ledger()
        trade_nos = tx.escrow.ids() if full else (no for no in tx.escrow.ids() if no not in tx.escrow.ids(_FINAL))
        for trade_no in trade_nos:
            _check_trade(tx.escrow.get(trade_no), ledger)


def _replay_product_call(world: SimulationWorld, rng: random.Random) -> None:
    if not world.recent:
        return
    replay = rng.choice(world.recent)
    with world.books.transaction() as tx:
        action, args, target = replay.resolve(tx)
        before = (_snapshot(tx.ledger), None if target is tx.ledger else _state(target))
        try:
            action(*args, **replay.kwargs)
        except IdempotencyConflictError as error:
            raise InvariantViolationError(
                f"replaying {replay.what} {replay.args[0]!r} with the same parameters conflicted: {error}"
            ) from None
        except AntfinError:
            pass  # refusing a late replay is allowed, as long as it changes nothing
        after = (_snapshot(tx.ledger), None if target is tx.ledger else _state(target))
        if after != before:
            raise InvariantViolationError(f"replaying {replay.what} {replay.args[0]!r} changed the books")


def _replay_ledger_transfer(world: World, rng: random.Random) -> None:
    with world.books.transaction() as tx:
        ledger = tx.ledger
        entries = [entry for entry in ledger.entries() if len(entry.postings) == 2 and entry.hold_id is None]
        if not entries:
            return
        entry = rng.choice(entries)
        debit, credit = entry.postings if entry.postings[0].is_debit else entry.postings[::-1]
        before = _snapshot(ledger)
        try:
            again = ledger.transfer(
                entry.key, debit=debit.account, credit=credit.account, amount=debit.amount, at=entry.at
            )
        except IdempotencyConflictError:
            pass  # the key belongs to another kind of operation (an entry, a posted hold): refusing is right
        else:
            if again != entry:
                raise InvariantViolationError(f"replaying transfer {entry.key!r} returned another entry")
        if _snapshot(ledger) != before:
            raise InvariantViolationError(f"replaying ledger key {entry.key!r} changed the ledger")


def _payday(world: World, rng: random.Random, step: int) -> None:
    """Salaries: a tenth of the users top up their wallets, so decades of simulated time keep money moving."""
    with world.play(rng) as day:
        if not day.progress.opened:
            return
        at = datetime.combine(day.today, time(7), tzinfo=SHANGHAI)
        for user in map(day.account, day.pick(0.1)):
            amount = Money.from_minor_units(rng.randint(1_000, 20_000) * 100)
            user.top_up(f"sim:payday:{step}:{user.account_id}", card=user.cards[0], amount=amount, at=at)


def books_state(books: Books) -> tuple[object, ...]:
    """Everything stored, as comparable data: every aggregate's document and the ledger's balances and holds."""
    with books.read() as tx:
        documents = tuple(
            (
                name,
                doc_id,
                to_data(tx._repository(name).get(doc_id))
                if name != "zhaocaibao"
                else tx.zhaocaibao.get(doc_id).to_data(),
            )
            for name in KINDS
            for doc_id in tx._repository(name).ids()
        )
        return documents, _snapshot(tx.ledger)


def simulate(
    seed: int,
    steps: int,
    *,
    users: int = 40,
    full_check_every: int = 100,
    path: Path | None = None,
    reopen_every: int = 50,
    progress: Callable[[int], None] | None = None,
) -> World:
    """Run ``steps`` random steps from ``seed``; raise :class:`SimulationFailedError` naming the step that broke.

    Every step is checked; every ``full_check_every`` steps, and after the last,
    every stored aggregate and the ledger from all its entries. With ``path``,
    the books are that SQLite file, closed and reopened about once every
    ``reopen_every`` steps, with the state compared across each reopen.
    """
    config = WorldConfig(users=users, seed=seed, exchange_calendar=False)
    books = Books.memory() if path is None else Books.open(path)
    World.create(config, books)
    world = SimulationWorld(books, config, 0)
    step = 0
    try:
        for step in range(steps):
            rng = random.Random(f"sim:{seed}:{step}")
            roll = rng.random()
            if roll < 0.05:
                _payday(world, rng, step)
            elif roll < 0.70:
                world.act(rng.choice(World.ACTIVITIES), rng)
            elif roll < 0.82:
                for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 10)):
                    world.end_day(rng)
            elif roll < 0.94:
                _replay_product_call(world, rng)
            else:
                _replay_ledger_transfer(world, rng)
            check_world(world, full=step % full_check_every == 0 or step == steps - 1)
            if path is not None and rng.random() < 1 / reopen_every:
                before = books_state(world.books)
                world.books.close()
                reopened = SimulationWorld(Books.open(path), config, world.day)
                reopened.recent = world.recent
                world = reopened
                if books_state(world.books) != before:
                    raise InvariantViolationError("the books read back after reopening differ from those before")
            if progress is not None and step % 1000 == 0:
                progress(step)
    except Exception as error:
        raise SimulationFailedError(
            f"simulation failed at seed {seed}, step {step} (day {world.day}, {world.today}): "
            f"{type(error).__name__}: {error}\n"
            f"replay: python tests/simulation/simulate.py --seed {seed} --steps {step + 1}"
        ) from error
    return world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--db", type=Path, default=None, help="run on this SQLite books file (reopened at random)")
    args = parser.parse_args(argv)
    started = clock.perf_counter()

    def report(step: int) -> None:
        print(f"step {step} ({clock.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)

    world = simulate(args.seed, args.steps, users=args.users, path=args.db, progress=report)
    elapsed = clock.perf_counter() - started
    with world.books.read() as tx:
        print(
            f"seed {args.seed}: {args.steps} steps, {world.day} simulated days, {len(tx.ledger.entries())} entries, "
            f"{len(tx.escrow.ids())} trades, {len(tx.loans.ids())} loans; all invariants held ({elapsed:.1f}s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
