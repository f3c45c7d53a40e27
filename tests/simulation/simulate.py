"""Seeded whole-system simulation: random operations across every product against the invariants.

Run it from the command line::

    python tests/simulation/simulate.py --seed 7 --steps 100000

Each step is one random product activity of :class:`antfin.ecosystem.world.World`
(shopping through escrow — paid from the wallet or with Huabei — with refunds and disputes, Yu'ebao purchases and
redemptions, Zhaocaibao subscriptions, liquidations and reservations, Huabei,
Jiebei and MYbank loans, Ant Dake, service fees), a payday that tops up a tenth of
the wallets, a jump of one or more days,
or the replay of an earlier idempotency key. After every step the invariants
are checked:

- the ledger balances per currency, no non-negative account is below zero
  (pending holds included), every hold is resolved at most once
  (:meth:`Ledger.check_invariants`);
- escrow: for every trade, paid − released − refunded from escrow = what is
  still in escrow = the pending hold, and all refunds together never exceed
  what was paid (refunds after release come from the seller's wallet);
- Yu'ebao: fund units = Σ holdings = the ledger's position balances;
- loans: balance = principal − repaid principal, against the ledger;
- Zhaocaibao: escrows, reservations and holdings agree with the ledger;
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
from typing import Any

import attrs

from antfin.calendar import SHANGHAI
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import AntfinError, IdempotencyConflictError, InvariantViolationError
from antfin.ledger import HoldStatus, Ledger
from antfin.money import Money
from antfin.payments.refunds import RefundStage

__all__ = ["SimulationFailedError", "SimulationWorld", "simulate"]


class SimulationFailedError(AssertionError):
    """An invariant broke; the message names the seed and the step."""


@attrs.define(eq=False)
class SimulationWorld(World):
    """A world that remembers its recent keyed calls so the simulation can replay them."""

    recent: list[tuple[str, Callable[..., object], tuple[Any, ...], dict[str, Any]]] = attrs.field(factory=list)

    def _try(self, what: str, action: Callable[..., object], /, *args: Any, **kwargs: Any) -> bool:
        done = super()._try(what, action, *args, **kwargs)
        if done and args and isinstance(args[0], str) and args[0].startswith("demo:"):
            self.recent.append((what, action, args, kwargs))
            del self.recent[:-64]
        return done


def _snapshot(ledger: Ledger) -> tuple[object, ...]:
    balances = tuple(
        (account.id, ledger.balance(account.id), ledger.pending(account.id)) for account in ledger.accounts()
    )
    holds = tuple((hold.id, hold.status) for hold in ledger.holds())
    return balances, holds, len(ledger.entries())


def check_world(world: World, *, full: bool = True) -> None:
    """Every invariant the simulation promises (raises InvariantViolationError).

    ``full`` also recomputes the ledger from all its entries and holds
    (:meth:`Ledger.check_invariants`); otherwise the ledger is checked through
    its running totals (trial balance and every non-negative account), which
    costs the number of accounts rather than the number of entries.
    """
    ledger = world.ledger
    if full:
        world.check()
        trades = world.desk.trades()
        # The same aggregate invariants a loaded document must pass (antfin.serialization).
        for trade in trades:
            trade.check_invariants()
        for loan in world.loans:
            loan.check_invariants()
        for huabei in world.huabei.values():
            huabei.check_invariants()
        for offer in world.offers:
            offer.check_invariants()
    else:
        if not ledger.trial_balance().is_balanced:
            raise InvariantViolationError(f"the trial balance does not balance: {ledger.trial_balance().totals}")
        for account in ledger.accounts():
            if account.non_negative and ledger.available(account.id).is_negative():
                raise InvariantViolationError(f"{account.id} is at {ledger.available(account.id)} net of holds")
        world.fund.check_invariants()
        world.zcb.check_invariants()
        for loan in world.loans:
            if loan.status.value == "active":
                loan.check_ledger()
        trades = tuple(world.desk.get(trade_no) for trade_no in world.trades)  # the open ones
    for trade in trades:
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
                raise InvariantViolationError(
                    f"trade {trade.out_trade_no}: hold {held} but in escrow {trade.in_escrow}"
                )


def _replay_product_call(world: SimulationWorld, rng: random.Random) -> None:
    if not world.recent:
        return
    what, action, args, kwargs = rng.choice(world.recent)
    before = _snapshot(world.ledger)
    try:
        action(*args, **kwargs)
    except IdempotencyConflictError as error:
        raise InvariantViolationError(
            f"replaying {what} {args[0]!r} with the same parameters conflicted: {error}"
        ) from None
    except AntfinError:
        pass  # refusing a late replay is allowed, as long as it changes nothing
    if _snapshot(world.ledger) != before:
        raise InvariantViolationError(f"replaying {what} {args[0]!r} changed the ledger")


def _replay_ledger_transfer(world: World, rng: random.Random) -> None:
    entries = [entry for entry in world.ledger.entries() if len(entry.postings) == 2 and entry.hold_id is None]
    if not entries:
        return
    entry = rng.choice(entries)
    debit, credit = entry.postings if entry.postings[0].is_debit else entry.postings[::-1]
    before = _snapshot(world.ledger)
    try:
        again = world.ledger.transfer(
            entry.key, debit=debit.account, credit=credit.account, amount=debit.amount, at=entry.at
        )
    except IdempotencyConflictError:
        pass  # the key belongs to another kind of operation (an entry, a posted hold): refusing is right
    else:
        if again != entry:
            raise InvariantViolationError(f"replaying transfer {entry.key!r} returned another entry")
    if _snapshot(world.ledger) != before:
        raise InvariantViolationError(f"replaying ledger key {entry.key!r} changed the ledger")


def _payday(world: World, rng: random.Random, step: int) -> None:
    """Salaries: a tenth of the users top up their wallets, so decades of simulated time keep money moving."""
    if not world.users:
        return
    at = datetime.combine(world.today, time(7), tzinfo=SHANGHAI)
    for user in rng.sample(world.users, max(1, len(world.users) // 10)):
        amount = Money.from_minor_units(rng.randint(1_000, 20_000) * 100)
        user.top_up(f"sim:payday:{step}:{user.account_id}", card=user.cards[0], amount=amount, at=at)


def simulate(
    seed: int,
    steps: int,
    *,
    users: int = 40,
    full_check_every: int = 100,
    progress: Callable[[int], None] | None = None,
) -> World:
    """Run ``steps`` random steps from ``seed``; raise :class:`SimulationFailedError` naming the step that broke.

    Every step is checked; every ``full_check_every`` steps, and after the last,
    the ledger is also recomputed from all its entries.
    """
    config = WorldConfig(users=users, seed=seed, exchange_calendar=False)
    world = SimulationWorld(**attrs.asdict(World.create(config), recurse=False))
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
    args = parser.parse_args(argv)
    started = clock.perf_counter()

    def report(step: int) -> None:
        print(f"step {step} ({clock.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)

    world = simulate(args.seed, args.steps, users=args.users, progress=report)
    elapsed = clock.perf_counter() - started
    print(
        f"seed {args.seed}: {args.steps} steps, {world.day} simulated days, {len(world.ledger.entries())} entries, "
        f"{len(world.desk.trades())} trades, {len(world.loans)} loans; all invariants held ({elapsed:.1f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
