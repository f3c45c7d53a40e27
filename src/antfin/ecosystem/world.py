"""A seeded ecosystem on the books: users, merchants and every product, driven day by day.

The demo (``python -m antfin demo``) and the whole-system simulation in the
test suite both drive this world. Everything it holds lives in the books
(:class:`~antfin.books.books.Books`): the accounts, trades, fund, Zhaocaibao platform,
loans, Huabei accounts and offers, and the world's own progress (its size,
seed and day), so a program can stop after any day and a later one continues
from the stored state, without replaying anything. Each day's random choices
come from ``random.Random(f"{seed}:{day}")``, so a run is reproducible.

>>> from antfin.ecosystem.world import World, WorldConfig
>>> world = World.create(WorldConfig(users=12, seed=7))
>>> world.run_day()
>>> world.day, world.books.check().entries > 0
(1, True)

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0 The world lives in the books; :meth:`World.resume` continues a stored one.
"""

from __future__ import annotations

import gc
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

import attrs

from antfin.books import Books, BooksCheck, Kind, Transaction
from antfin.ecosystem.day import ACTIVITIES, ZHAOCAIBAO_DAILY_ORDERS, Day
from antfin.ecosystem.services import CloudContract
from antfin.errors import InvalidTransitionError, NotFoundError
from antfin.wealth import YieldMethod

__all__ = ["WORLD", "ZHAOCAIBAO_DAILY_ORDERS", "World", "WorldConfig", "WorldProgress"]

# While a day plays, Python's collector looks at its oldest generation only after this many collections of the
# middle one (10 by default).
_FULL_COLLECTION_EVERY = 1_000

_collector_lock = threading.Lock()
_collector = {"days": 0, "saved": 0}  # the days playing now, and the oldest generation's threshold before them


@contextmanager
def _fewer_full_collections() -> Iterator[None]:
    """Hold Python's full garbage collections while a day's unit of work is open; restore the threshold after.

    A day of 100,000 users keeps over a million objects alive until it commits (the aggregates it took, the
    ledger's uncommitted entries and undo log). CPython runs a full collection each time the survivors grow by a
    quarter, and each one walks all of them: eleven walks in such a day, a third of its time, and they found no
    garbage. The young generations still run as usual, so short-lived cycles are still freed. Days played by
    several threads at once share the saved threshold: the last one to finish restores it.
    """
    with _collector_lock:
        if _collector["days"] == 0:
            young, middle, old = gc.get_threshold()
            _collector["saved"] = old
            gc.set_threshold(young, middle, max(old, _FULL_COLLECTION_EVERY))
        _collector["days"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["days"] -= 1
            if _collector["days"] == 0:
                young, middle, _ = gc.get_threshold()
                gc.set_threshold(young, middle, _collector["saved"])


@attrs.frozen
class WorldConfig:
    """The size and seed of a world.

    >>> WorldConfig().users, WorldConfig().start
    (200, datetime.date(2024, 3, 1))

    Attributes:
        users: how many users.
        seed: the random seed.
        start: the first day (on the SSE calendar's coverage).
        merchants: how many merchants; ``users // 20`` (at least 5) by default.
        exchange_calendar: trade Yu'ebao on the SSE calendar (holidays included);
            ``False`` uses plain weekdays, for runs that go past the calendar's coverage.

    .. versionadded:: 0.1.0
    """

    users: int = 200
    seed: int = 2016
    start: date = date(2024, 3, 1)
    merchants: int | None = None
    exchange_calendar: bool = True

    @property
    def merchant_count(self) -> int:
        """The number of merchants."""
        return self.merchants if self.merchants is not None else max(5, self.users // 20)


@attrs.define
class WorldProgress:
    """The world's own record in the books: its configuration, the next day to play, what was refused.

    >>> WorldProgress(WorldConfig(users=5)).day
    0

    .. versionadded:: 0.2.0
    """

    config: WorldConfig
    day: int = 0
    opened: bool = False
    refusals: dict[str, int] = attrs.field(factory=dict)
    last_refusal: str = ""
    cloud: CloudContract | None = None
    #: Each Jiebei borrower's wallet and latest loan (one Jiebei loan at a time), so nobody scans the loan book.
    borrowers: dict[str, str] = attrs.field(factory=dict)


#: How the books store a world's progress (one record, id ``"world"``).
WORLD: Kind[WorldProgress] = Kind("world", WorldProgress, lambda _progress: "world", lambda _progress: "OPEN")


class World:
    """A seeded ecosystem stored in the books; build one with :meth:`create`, continue one with :meth:`resume`.

    >>> world = World.create(WorldConfig(users=10, seed=1))
    >>> world.run_day()
    >>> with world.books.read() as tx:
    ...     len(tx.accounts.ids("USER")), len(tx.accounts.ids("MERCHANT"))
    (10, 11)

    .. versionadded:: 0.1.0
    """

    #: The activities of a day, in the order :meth:`run_day` plays them.
    ACTIVITIES: ClassVar[tuple[str, ...]] = ACTIVITIES

    def __init__(self, books: Books, config: WorldConfig, day: int) -> None:
        self.books = books
        self.config = config
        self.day = day

    @classmethod
    def create(cls, config: WorldConfig, books: Books | None = None) -> World:
        """A new world in ``books`` (fresh in-memory books by default).

        >>> World.create(WorldConfig(users=5)).day
        0

        Raises:
            antfin.errors.InvalidTransitionError: the books already hold a world.
        """
        if not isinstance(config, WorldConfig):
            raise TypeError(f"config must be a WorldConfig, not {type(config).__name__}")
        target = Books.memory() if books is None else books
        with target.transaction() as tx:
            records = tx.repository(WORLD)
            if "world" in records:
                raise InvalidTransitionError("these books already hold a world; continue it with World.resume")
            records.add(WorldProgress(config))
        return cls(target, config, 0)

    @classmethod
    def resume(cls, books: Books) -> World:
        """The world stored in ``books``, ready to play its next day.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.run_day()
        >>> World.resume(world.books).day
        1

        Raises:
            antfin.errors.NotFoundError: the books hold no world.
        """
        with books.read() as tx:
            progress = tx.repository(WORLD).find("world")
            if progress is None:
                raise NotFoundError("these books hold no demo world (they were not written by the demo)")
            return cls(books, progress.config, progress.day)

    @property
    def today(self) -> date:
        """The date the next :meth:`run_day` plays."""
        return self.config.start + timedelta(days=self.day)

    @contextmanager
    def play(self, rng: random.Random | None = None) -> Iterator[Day]:
        """One transaction of play: yields the :class:`~antfin.ecosystem.day.Day`, commits when the block ends.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> with world.play() as day:
        ...     day.act("shop")
        ...     day.end()
        >>> world.day
        1

        Args:
            rng: the random choices (the day's seeded generator by default).
        """
        with _fewer_full_collections(), self.books.transaction() as tx:
            progress = tx.repository(WORLD).get("world")
            chooser = random.Random(f"{self.config.seed}:{progress.day}") if rng is None else rng
            yield self.make_day(tx, progress, chooser)
            day = progress.day
        self.day = day

    def make_day(self, tx: Transaction, progress: WorldProgress, rng: random.Random) -> Day:
        """The :class:`~antfin.ecosystem.day.Day` that plays on ``tx`` (a subclass may observe what it does).

        >>> world = World.create(WorldConfig(users=5))
        >>> with world.books.read() as tx:
        ...     type(world.make_day(tx, world.progress(tx), random.Random(1))).__name__
        'Day'
        """
        return Day(tx, progress, rng)

    def run_day(self) -> None:
        """Play one day in one transaction: every product's activity, then the day's closing.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.run_day(); world.run_day()
        >>> world.today
        datetime.date(2024, 3, 3)
        """
        with self.play() as day:
            for activity in ACTIVITIES:
                day.act(activity)
            day.end()

    def act(self, activity: str, rng: random.Random) -> None:
        """Play one activity of :attr:`ACTIVITIES` today, in its own transaction.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.act("shop", random.Random(1))

        Raises:
            antfin.errors.NotFoundError: for an unknown activity.
        """
        with self.play(rng) as day:
            day.act(activity)

    def end_day(self, rng: random.Random) -> None:
        """Close today (fund income, float interest) and move to the next day, in its own transaction.

        >>> world = World.create(WorldConfig(users=5, seed=3))
        >>> world.end_day(random.Random(1)); world.day
        1
        """
        with self.play(rng) as day:
            day.end()

    # -- reporting ------------------------------------------------------------------

    def progress(self, tx: Transaction) -> WorldProgress:
        """The world's stored record, in ``tx``.

        >>> world = World.create(WorldConfig(users=5))
        >>> with world.books.read() as tx:
        ...     world.progress(tx).config.users
        5
        """
        return tx.repository(WORLD).get("world")

    def seven_day_yield(self, tx: Transaction) -> Decimal | None:
        """The fund's compound 7-day annualized yield (percent) at the last closed day, if 7 days exist.

        >>> world = World.create(WorldConfig(users=5))
        >>> with world.books.read() as tx:
        ...     world.seven_day_yield(tx) is None
        True
        """
        fund = tx.funds.find("yuebao")
        if fund is None:
            return None
        last = fund.last_closed_day
        if last is None:
            return None
        try:
            return fund.seven_day_yield(last, method=YieldMethod.COMPOUND)
        except NotFoundError:  # fewer than seven days closed so far
            return None

    def check(self) -> BooksCheck:
        """Check the books (the ledger and every stored aggregate against it); raise if anything is broken.

        >>> World.create(WorldConfig(users=5)).check().counts[0]
        ('account', 0)
        """
        return self.books.check()
