"""Pictures drawn from antfin's own code when the documentation is built.

Write ``{antfin-figure} NAME`` in a page (the content, if any, is the caption)::

    ```{antfin-figure} escrow-states
    :alt: The escrow trade's statuses and the actions between them.

    The escrow state machine, drawn from ``LEGAL_ACTIONS``.
    ```

While the HTML pages are written, each figure is computed by calling antfin
(schedules, a fund's days, a small simulated world) and drawn with matplotlib's
Agg/SVG backend into ``_images/antfin/NAME.svg`` of the build directory. No image
is committed, so the pictures cannot drift from the code. Every warning raised
while drawing (a missing glyph, for one) is an error. The labels are English,
with pinyin, because matplotlib's default font has no CJK glyphs.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from docutils import nodes
from docutils.parsers.rst import directives
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from sphinx.util.docutils import SphinxDirective

# Colours (a colour-blind-safe palette) and the white background that keeps the
# pictures readable under furo's dark theme too.
BLUE, ORANGE, GREEN, RED, GREY, PURPLE = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#999999", "#CC79A7"
_RC: dict[Any, Any] = {
    "svg.hashsalt": "antfin",  # stable ids: the same code draws the same file
    "svg.fonttype": "path",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
}


def _day(day: date) -> float:
    """A date as matplotlib's date number."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _dates_on(axis: Any) -> None:
    """Label an axis of date numbers as "01 Apr"."""
    import matplotlib.dates as mdates

    axis.set_major_formatter(mdates.DateFormatter("%d %b"))  # type: ignore[no-untyped-call]


def _yuan(money: Any) -> float:
    """A Money as a float of yuan, for plotting only (the numbers shown come from Money)."""
    return float(money.amount)


# -- the escrow state machine -------------------------------------------------------


def escrow_states() -> Figure:
    """The statuses of an escrow trade and the legal actions, from ``LEGAL_ACTIONS``."""
    from antfin.payments.escrow import LEGAL_ACTIONS, TradeStatus

    start = TradeStatus.WAIT_BUYER_PAY
    layer = {start: 0}
    queue = [start]
    while queue:
        status = queue.pop(0)
        for target in LEGAL_ACTIONS[status].values():
            if target not in layer:
                layer[target] = layer[status] + 1
                queue.append(target)
    position: dict[TradeStatus, tuple[float, float]] = {}
    for depth in sorted(set(layer.values())):
        row = sorted((s for s in layer if layer[s] == depth), key=lambda s: (s.is_final, list(TradeStatus).index(s)))
        for column, status in enumerate(row):
            position[status] = (column * 5.2, -depth * 2.0)

    fig = Figure(figsize=(8.4, 8.2))
    ax = fig.add_subplot()
    ax.set_axis_off()
    box_w, box_h = 3.9, 0.7
    for status, (x, y) in position.items():
        colour = "#eeeeee" if status.is_final else "#dcebf7"
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2), box_w, box_h, boxstyle="round,pad=0.08", fc=colour, ec=BLUE, lw=1.3
            )
        )
        ax.text(x, y, status.value, ha="center", va="center", fontsize=9.5, family="monospace", weight="bold")
    sx, sy = position[start]
    ax.annotate("", (sx, sy + box_h / 2 + 0.1), (sx, sy + 1.1), arrowprops={"arrowstyle": "-|>", "color": "black"})
    ax.text(sx + 0.15, sy + 0.85, "create", fontsize=9, style="italic")

    for status, actions in LEGAL_ACTIONS.items():
        grouped: dict[TradeStatus, list[str]] = {}
        for action, target in actions.items():
            grouped.setdefault(target, []).append(action.value)
        x, y = position[status]
        for target, names in grouped.items():
            label = "\n".join(textwrap.wrap(", ".join(names), 34))
            if target is status:  # the actions that keep the status: a loop on the left
                ax.add_patch(
                    FancyArrowPatch(
                        (x - box_w / 2 - 0.1, y + 0.2),
                        (x - box_w / 2 - 0.1, y - 0.2),
                        connectionstyle="arc3,rad=1.6",
                        arrowstyle="-|>",
                        mutation_scale=12,
                        color=GREY,
                    )
                )
                ax.text(x - box_w / 2 - 0.75, y, label, ha="right", va="center", fontsize=8, color="#444444")
                continue
            tx, ty = position[target]
            if tx == x:
                start_xy, end_xy = (x, y - box_h / 2 - 0.1), (tx, ty + box_h / 2 + 0.1)
                text_xy, ha = (x + 0.15, (y + ty) / 2), "left"
            else:
                start_xy, end_xy = (x + box_w / 2 - 0.4, y - box_h / 2 - 0.1), (tx - 0.6, ty + box_h / 2 + 0.1)
                text_xy, ha = ((x + tx) / 2 + 0.9, (y + ty) / 2 + 0.35), "left"
            ax.add_patch(FancyArrowPatch(start_xy, end_xy, arrowstyle="-|>", mutation_scale=14, color="black"))
            ax.text(*text_xy, label, ha=ha, va="center", fontsize=9, color=RED)
    xs = [p[0] for p in position.values()]
    ys = [p[1] for p in position.values()]
    ax.set_xlim(min(xs) - 6.5, max(xs) + box_w / 2 + 0.3)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 1.3)
    ax.set_title("Escrow trade (dānbǎo jiāoyì): statuses and legal actions", loc="left", fontsize=11)
    fig.text(0.01, 0.01, "Grey boxes are final. Drawn from antfin.payments.escrow.LEGAL_ACTIONS.", fontsize=8)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.95, bottom=0.04)
    return fig


# -- loan amortization --------------------------------------------------------------


def amortization() -> Figure:
    """Principal and interest of each instalment: equal instalments vs equal principal."""
    from antfin import CNY, format_money
    from antfin.credit import LoanRate, RepaymentMethod, amortize
    from antfin.rates import DayCount, Rate

    rate = LoanRate.daily(Rate.percent("0.045"), DayCount.ACT_360)
    fig = Figure(figsize=(8.4, 3.8))
    axes = fig.subplots(1, 2, sharey=True)
    methods = (
        (RepaymentMethod.EQUAL_INSTALMENT, "Equal instalments (děng'é běnxī)"),
        (RepaymentMethod.EQUAL_PRINCIPAL, "Equal principal (děng'é běnjīn)"),
    )
    for ax, (method, title) in zip(axes, methods, strict=True):
        schedule = amortize(CNY("12000"), rate, 12, disbursed_on=date(2024, 3, 5), method=method)
        numbers = [row.number for row in schedule.instalments]
        principal = [_yuan(row.principal) for row in schedule.instalments]
        interest = [_yuan(row.interest) for row in schedule.instalments]
        ax.bar(numbers, principal, color=BLUE, label="principal")
        ax.bar(numbers, interest, bottom=principal, color=ORANGE, label="interest")
        ax.set_title(f"{title}\ntotal interest {format_money(schedule.total_interest)}", fontsize=10)
        ax.set_xlabel("instalment")
        ax.set_xticks(numbers)
    axes[0].set_ylabel("yuan")
    axes[0].set_ylim(0, 1450)
    axes[0].legend(loc="upper center", ncol=2, frameon=False)
    fig.suptitle("12,000 yuan over 12 months at 0.045% a day (antfin.credit.amortize)", fontsize=11)
    fig.tight_layout()
    return fig


# -- Yu'ebao ------------------------------------------------------------------------


def yuebao_income() -> Figure:
    """Income per 10,000 units and the 7-day annualized yield over two months of real fund days."""
    from antfin import CNY
    from antfin.calendar import ChinaExchangeCalendar, shanghai
    from antfin.ledger import AccountKind, Ledger
    from antfin.wealth import MoneyFund, OrderKind, OrderStatus, YieldMethod

    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    ledger.open_account("wallet:mei", AccountKind.LIABILITY, non_negative=True, owner="mei")
    ledger.transfer(
        "top-up", debit="asset:bank_settlement", credit="wallet:mei", amount=CNY("100000"), at=shanghai(2024, 4, 1, 9)
    )
    sse = ChinaExchangeCalendar.sse()
    fund = MoneyFund(ledger, calendar=sse)
    fund.purchase("mei-1", "mei", CNY("100000"), at=shanghai(2024, 3, 29, 10))
    first, last = date(2024, 3, 29), date(2024, 5, 31)
    span = (last - first).days

    def gross(day: date) -> Any:
        # The portfolio's gross yield (an input, not a rule): drifting from 2.6% to 2.0% a year,
        # 0.8% more over the last days of a month (month-end money is dear).
        annual = Decimal("0.026") - Decimal("0.006") * (day - first).days / span
        if day.day >= 28:
            annual += Decimal("0.008")
        units = fund.total_units
        for order in fund.orders(OrderStatus.PENDING):
            if order.effective_day <= day:
                units += order.units if order.kind is OrderKind.PURCHASE else -order.units
        return CNY(units * annual / 365, rounding="DOWN")

    days, per_10k, yields = [], [], []
    day = first
    while day <= last:
        income = fund.close_day(day, gross_income=gross(day), at=shanghai(day.year, day.month, day.day, 23, 59))
        days.append(day)
        per_10k.append(float(income.per_10k))
        week = fund.daily_incomes()[-7:]
        earning = len(week) == 7 and all(income.units > 0 for income in week)
        yields.append(float(fund.seven_day_yield(day, method=YieldMethod.COMPOUND)) if earning else None)
        day += timedelta(days=1)

    fig = Figure(figsize=(8.4, 5.0))
    top, bottom = fig.subplots(2, 1, sharex=True)
    colours = [BLUE if sse.is_trading_day(d) else ORANGE for d in days]
    top.bar(days, per_10k, color=colours, width=0.8)
    top.set_ylabel("yuan per 10,000 units")
    top.set_title(
        "Income per 10,000 units (wànfèn shōuyì), paid every calendar day; orange: weekends and SSE holidays",
        fontsize=9.5,
        loc="left",
    )
    shown = [(d, y) for d, y in zip(days, yields, strict=True) if y is not None]
    bottom.plot([d for d, _ in shown], [y for _, y in shown], color=GREEN, lw=2)
    bottom.set_ylabel("percent a year")
    bottom.set_title("7-day annualized yield (qī rì niánhuà shōuyìlǜ), compound", fontsize=9.5, loc="left")
    _dates_on(bottom.xaxis)
    fig.suptitle(
        "A MoneyFund on the SSE calendar, 100,000 yuan bought 29 March 2024;\n"
        "the portfolio's gross yield 2.6% falling to 2.0%, higher at month ends",
        fontsize=10,
    )
    fig.tight_layout()
    return fig


# -- the income statement -----------------------------------------------------------


def revenue_by_profit_point() -> Figure:
    """Revenue by profit point after two small simulated months (40 users, March and April 2024)."""
    from antfin import format_money
    from antfin.ecosystem import Product, income_statement
    from antfin.ecosystem.world import World, WorldConfig

    world = World.create(WorldConfig(users=40, seed=2016))
    while world.today < date(2024, 5, 1):
        world.run_day()
    world.check()
    with world.books.read() as tx:
        statement = income_statement(tx.ledger)
    lines = [line for line in statement.lines if line.amount.minor_units > 0]
    colours = [BLUE, GREEN, "#56B4E9", "#009E9E", ORANGE, RED, PURPLE, "#8C564B", GREY, "#332288", "#AA4499"]
    palette = {product: colours[index % len(colours)] for index, product in enumerate(Product)}
    fig = Figure(figsize=(8.4, 0.34 * len(lines) + 1.4))
    ax = fig.add_subplot()
    labels = [f"{line.product.name_en}: {line.point.name_en}" for line in lines]
    values = [_yuan(line.amount) for line in lines]
    ax.barh(labels, values, color=[palette[line.product] for line in lines])
    ax.set_xscale("log")
    ax.invert_yaxis()
    for index, line in enumerate(lines):
        ax.text(_yuan(line.amount) * 1.1, index, format_money(line.amount), va="center", fontsize=8)
    ax.set_xlim(min(values) / 2, max(values) * 8)
    ax.set_xlabel("yuan (log scale)")
    last = world.today - timedelta(days=1)
    fig.suptitle(
        f"Revenue by profit point (yínglì diǎn), total {format_money(statement.total)}: two simulated months,\n"
        f"World(WorldConfig(users=40, seed=2016)) from {world.config.start:%d %B} to {last:%d %B %Y}",
        fontsize=10,
        x=0.01,
        ha="left",
    )
    fig.tight_layout()
    return fig


# -- a Huabei bill's timeline -------------------------------------------------------


def huabei_timeline() -> Figure:
    """The Huabei tutorial's month: purchases, the bill, the due date, payments, instalments."""
    from antfin import CNY, format_money
    from antfin.calendar import shanghai
    from antfin.credit.huabei import HuabeiAccount, MerchantChannel
    from antfin.credit.huabei_bills import BillingCycle
    from antfin.credit.profile import CreditProfile
    from antfin.ledger import AccountKind, Ledger

    ledger = Ledger()
    for wallet in ("wallet:alice", "wallet:cafe", "wallet:tmall-shop"):
        ledger.open_account(wallet, AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    ledger.transfer(
        "top-up", debit="asset:bank_settlement", credit="wallet:alice", amount=CNY("3000"), at=shanghai(2024, 3, 1, 9)
    )
    huabei = HuabeiAccount.from_profile(
        ledger, CreditProfile.of("alice", 700, date(2024, 3, 1)), cycle=BillingCycle(due_day=10)
    )
    huabei.purchase("cafe-0302", merchant="cafe", amount=CNY("38.50"), at=shanghai(2024, 3, 2, 8, 30))
    huabei.purchase(
        "tmall-0311",
        merchant="tmall-shop",
        amount=CNY("2599"),
        at=shanghai(2024, 3, 11, 21),
        channel=MerchantChannel.TMALL,
    )
    huabei.purchase("cafe-0320", merchant="cafe", amount=CNY("62.50"), at=shanghai(2024, 3, 20, 12))
    huabei.refund("tmall-0311:refund", "tmall-0311", CNY("299"), at=shanghai(2024, 3, 25, 10))
    bill = huabei.issue_bill(date(2024, 4, 1))
    part = huabei.repay("alice:0405", CNY("401"), at=shanghai(2024, 4, 5, 20))
    plan = huabei.convert_bill("alice:split", date(2024, 4, 1), 6, at=shanghai(2024, 4, 6, 9)).plan
    first_period = huabei.repay("alice:0410", plan.periods[0].total, at=shanghai(2024, 4, 10, 18))
    may = huabei.issue_bill(date(2024, 5, 1))

    fig = Figure(figsize=(8.4, 4.2))
    ax = fig.add_subplot()
    ax.axhline(0, color="black", lw=1)
    events: list[tuple[date, str, str]] = []
    for line in bill.lines:
        events.append((line.posted_on, f"{line.kind.value}\n{format_money(line.amount)}", BLUE))
    events.append((date(2024, 4, 5), f"pays\n{format_money(part.amount)}", GREEN))
    events.append((date(2024, 4, 6), f"6 instalments\nfee {format_money(plan.fee)}", PURPLE))
    events.append((date(2024, 4, 10), f"pays period 1\n{format_money(first_period.amount)}", GREEN))
    for index, (day, text, colour) in enumerate(sorted(events)):
        height = (0.7, 1.5, 2.3)[index % 3]
        ax.vlines(_day(day), 0, height, color=colour, lw=1)
        ax.plot([_day(day)], [0], "o", color=colour)
        ax.text(_day(day), height + 0.05, text, ha="center", va="bottom", fontsize=8, color=colour)
    for issued in (bill, may):
        for day, text in ((issued.statement_date, "bill day"), (issued.due_date, "due")):
            ax.vlines(_day(day), -2.2, 0, color=RED, lw=1.2, linestyles="dashed")
            ax.text(_day(day), -2.35, f"{text}\n{day:%d %b}", ha="center", va="top", fontsize=8, color=RED)
    first = bill.lines[0].posted_on
    free = huabei.cycle.interest_free_days(first)
    ax.barh(-0.9, free, left=_day(first), height=0.45, color=ORANGE, alpha=0.6)
    ax.text(_day(first) + free / 2, -0.9, f"interest-free: {free} days", ha="center", va="center", fontsize=8)
    ax.set_ylim(-3.3, 3.0)
    ax.set_xlim(_day(date(2024, 2, 28)), _day(date(2024, 5, 14)))
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    _dates_on(ax.xaxis)
    ax.set_title(
        f"A Huabei (huābei) bill: {format_money(bill.total)} billed 1 April, due {bill.due_date:%d %B}",
        fontsize=10,
        loc="left",
    )
    fig.tight_layout()
    return fig


# -- the ecosystem ------------------------------------------------------------------


def ecosystem_flow() -> Figure:
    """Payments → wealth → credit → credit scoring, with the products and profit points of each."""
    from antfin.ecosystem import Product, ProfitPoint

    stages = (
        ("Payments", "zhīfù", (Product.ALIPAY,)),
        ("Wealth", "lǐcái", (Product.YUEBAO, Product.ZHAOCAIBAO, Product.FORTUNE, Product.DAKE)),
        ("Credit", "xìndài", (Product.HUABEI, Product.JIEBEI, Product.MYBANK, Product.CREDIT_TECH)),
        ("Credit scoring", "zhēngxìn", ()),
    )
    points = {product: sum(1 for point in ProfitPoint if point.product is product) for product in Product}
    fig = Figure(figsize=(8.4, 3.9))
    ax = fig.add_subplot()
    ax.set_axis_off()
    width, gap = 1.55, 0.95
    for index, (name, pinyin, products) in enumerate(stages):
        x = index * (width + gap)
        ax.add_patch(FancyBboxPatch((x, 0), width, 2.1, boxstyle="round,pad=0.05", fc="#dcebf7", ec=BLUE, lw=1.3))
        ax.text(x + width / 2, 1.85, name, ha="center", va="center", weight="bold", fontsize=10.5)
        ax.text(x + width / 2, 1.58, pinyin, ha="center", va="center", style="italic", fontsize=9)
        body = [f"{p.name_en.split(' (')[0]} ({points[p]})" for p in products] or [
            "Sesame credit score",
            "350-950, five",
            "dimensions",
        ]
        ax.text(x + width / 2, 1.3, "\n".join(body), ha="center", va="top", fontsize=8.5, linespacing=1.5)
        if index:
            ax.add_patch(FancyArrowPatch((x - gap + 0.03, 1.05), (x - 0.03, 1.05), arrowstyle="-|>", mutation_scale=16))
    right = len(stages) * (width + gap) - gap
    flows = (
        (0, "idle balance\nearns"),
        (1, "same users,\nsame ledger"),
        (2, "repayment\nrecords"),
    )
    for left, text in flows:
        x = left * (width + gap) + width + gap / 2
        ax.text(x, 0.95, text, ha="center", va="top", fontsize=7, color="#444444")
    ax.add_patch(
        FancyArrowPatch(
            (3 * (width + gap) + width / 2, -0.05),
            (2 * (width + gap) + width / 2, -0.05),
            connectionstyle="arc3,rad=-0.5",
            arrowstyle="-|>",
            mutation_scale=14,
            color=RED,
        )
    )
    ax.text(2.5 * (width + gap) + width / 2, -0.75, "score sets the credit line", ha="center", fontsize=8.5, color=RED)
    ax.add_patch(
        FancyArrowPatch(
            (width / 2, 2.2),
            (3 * (width + gap) + width / 2, 2.2),
            connectionstyle="arc3,rad=-0.12",
            arrowstyle="-|>",
            mutation_scale=14,
            color=GREEN,
        )
    )
    ax.text(right / 2, 2.78, "payment and repayment history feeds the score", ha="center", fontsize=8.5, color=GREEN)
    ax.text(
        right / 2,
        -1.25,
        f"Every product books on one double-entry ledger: {len(ProfitPoint)} profit points; "
        f"Ant Financial Cloud ({points[Product.CLOUD]}) serves them all;\n"
        f"Insurance ({points[Product.INSURANCE]}) sells through Alipay",
        ha="center",
        fontsize=8.5,
    )
    ax.set_xlim(-0.1, right + 0.1)
    ax.set_ylim(-1.75, 3.05)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig


# -- the architecture ------------------------------------------------------------------


def architecture_floors() -> Figure:
    """antfin's floors, bottom up, with the imports between them read from the source (``ast``).

    Each arrow on the right is the imports of modules of one floor from modules
    of a floor below (its width grows with their number); an import from a floor
    above, which the layering test forbids, would be drawn in red on the left.
    """
    import antfin_floors

    found = antfin_floors.imports()
    modules = antfin_floors.modules()
    top = antfin_floors.FLOORS[-1][0]
    edges: dict[tuple[int, int], int] = {}
    for item in found:
        below = antfin_floors.floor_of(item.importer)
        above = antfin_floors.floor_of(item.imported)
        if below is None:
            continue
        target = top if above is None else above
        if target != below:
            edges[below, target] = edges.get((below, target), 0) + 1
    upward = antfin_floors.upward(found)

    fig = Figure(figsize=(8.4, 6.6))
    ax = fig.add_subplot()
    ax.set_axis_off()
    width, height, step = 6.6, 0.62, 0.9
    centre: dict[int, float] = {}
    for number, name, tops in antfin_floors.FLOORS:
        y = (number - 1) * step
        centre[number] = y + height / 2
        count = sum(1 for module in modules if antfin_floors.floor_of(module.name) == number)
        colour = "#dcebf7" if number != 4 else "#e3f2ea"
        ax.add_patch(FancyBboxPatch((0, y), width, height, boxstyle="round,pad=0.03", fc=colour, ec=BLUE, lw=1.2))
        ax.text(0.12, y + height * 0.66, f"{number}  {name}", va="center", weight="bold", fontsize=10)
        ax.text(0.12, y + height * 0.26, " · ".join(tops), va="center", family="monospace", fontsize=7.6)
        ax.text(
            width - 0.1,
            y + height * 0.66,
            f"{count} module{'s' if count != 1 else ''}",
            ha="right",
            va="center",
            fontsize=7.5,
            color="#444444",
        )
    most = max(edges.values(), default=1)
    for (source, target), count in sorted(edges.items(), key=lambda item: item[0][0] - item[0][1]):
        up = target > source
        span = abs(source - target)
        x = 0.0 if up else width
        rad = (0.4 if up else -0.4) * (1 if source > target else -1)
        ax.add_patch(
            FancyArrowPatch(
                (x + (-0.05 if up else 0.05), centre[source]),
                (x + (-0.05 if up else 0.05), centre[target]),
                connectionstyle=f"arc3,rad={rad}",
                arrowstyle="-|>",
                mutation_scale=10,
                lw=0.6 + 2.4 * count / most,
                color=RED if up else GREY,
                alpha=0.95 if up else 0.8,
            )
        )
        apex = 0.4 * span * step / 2
        label_x = x - apex - 0.1 if up else x + apex + 0.08
        ax.text(
            label_x,
            (centre[source] + centre[target]) / 2,
            str(count),
            ha="right" if up else "left",
            va="center",
            fontsize=7,
            color=RED if up else "#444444",
        )
    ax.text(
        width + 0.15,
        top * step + 0.05,
        "imports from a floor\nbelow (number of\nimport statements)",
        fontsize=8,
        va="bottom",
        color="#444444",
    )
    ax.text(
        -0.1, top * step + 0.05, "each floor uses only the floors below it", fontsize=8, va="bottom", color="#444444"
    )
    if upward:
        lines = [
            f"{item.importer} → {item.imported} (line {item.line}{', in a function' if item.deferred else ''})"
            for item in upward
        ]
        ax.text(-0.2, -0.35, "Upward, in red (forbidden):\n" + "\n".join(lines), fontsize=7.5, color=RED, va="top")
    else:
        ax.text(0, -0.35, "No module imports from a floor above its own.", fontsize=8, color=GREEN, va="top")
    ax.set_xlim(-1.2, width + 2.3)
    ax.set_ylim(-0.6 - 0.3 * len(upward), top * step + 0.5)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig


def transaction_path() -> Figure:
    """One unit of work on the books, step by step, each step named by the code that does it."""
    from antfin.books.books import Books
    from antfin.books.kinds import Kind
    from antfin.books.repositories import Repository
    from antfin.books.transaction import Transaction
    from antfin.ledger import Ledger
    from antfin.ledger.sqlite import SQLiteStore
    from antfin.payments import EscrowTrade

    def name(owner: type, attribute: str) -> str:
        getattr(owner, attribute)  # the picture fails to build if the code is renamed
        return f"{owner.__name__}.{attribute}"

    steps = (
        ("the program", "with books.transaction() as tx:", name(Books, "transaction")),
        ("a repository gets the aggregate", 'tx.escrow.get("TEA-001")', name(Repository, "get")),
        (
            "stored document → JSON → entity",
            "rebuilt, then validated against the ledger",
            f"{name(Kind, 'load')}, {name(Kind, 'check')}",
        ),
        ("the product's method", "trade.confirm(at=...)", name(EscrowTrade, "confirm")),
        ("postings on the ledger", "balanced entries, idempotent keys", name(Ledger, "transfer")),
        ("changed aggregates → documents", "only what changed, version + 1", name(Transaction, "_flush")),
        ("one SQLite commit", "entries and documents, all or nothing", name(SQLiteStore, "commit")),
        ("objects detached", "any later use raises DetachedError", name(Transaction, "_end")),
    )
    fig = Figure(figsize=(8.4, 7.4))
    ax = fig.add_subplot()
    ax.set_axis_off()
    width, height, step = 5.2, 0.62, 0.92
    for index, (title, detail, code) in enumerate(steps):
        y = -index * step
        colour = "#e3f2ea" if index in (4, 6) else "#dcebf7"
        ax.add_patch(FancyBboxPatch((0, y), width, height, boxstyle="round,pad=0.04", fc=colour, ec=BLUE, lw=1.2))
        ax.text(0.15, y + height * 0.68, f"{index + 1}. {title}", va="center", weight="bold", fontsize=9.5)
        ax.text(
            0.15, y + height * 0.26, detail, va="center", fontsize=8, family="monospace" if index in (0, 1, 3) else None
        )
        ax.text(width + 0.2, y + height / 2, code, va="center", fontsize=7.6, family="monospace", color="#444444")
        if index:
            ax.add_patch(
                FancyArrowPatch(
                    (width / 2, y + step - 0.06), (width / 2, y + height + 0.06), arrowstyle="-|>", mutation_scale=12
                )
            )
    # An exception anywhere before the commit: nothing is written.
    ax.add_patch(
        FancyArrowPatch(
            (-0.05, -3 * step + height / 2),
            (-0.05, -7 * step + height / 2),
            connectionstyle="arc3,rad=0.35",
            arrowstyle="-|>",
            mutation_scale=12,
            color=RED,
            linestyle="--",
        )
    )
    ax.text(
        -1.0,
        -5 * step + height / 2,
        "an exception\n(steps 2-6):\nrollback,\nnothing written,\nstill detached",
        ha="right",
        va="center",
        fontsize=8,
        color=RED,
    )
    ax.set_xlim(-2.8, width + 3.6)
    ax.set_ylim(-(len(steps) - 1) * step - 0.2, height + 0.2)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
    return fig


#: Every figure a page can ask for, by name.
FIGURES: dict[str, Callable[[], Figure]] = {
    "escrow-states": escrow_states,
    "amortization": amortization,
    "yuebao-income": yuebao_income,
    "revenue-by-profit-point": revenue_by_profit_point,
    "huabei-timeline": huabei_timeline,
    "ecosystem-flow": ecosystem_flow,
    "architecture-floors": architecture_floors,
    "transaction-path": transaction_path,
}


def render(name: str, path: Path) -> None:
    """Draw figure ``name`` into ``path`` (SVG); any warning while drawing is an error."""
    with warnings.catch_warnings(), matplotlib.rc_context(_RC):
        warnings.simplefilter("error")
        fig = FIGURES[name]()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="svg", metadata={"Date": None})


# -- the directive and its node -------------------------------------------------------


class antfin_figure(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """Where a generated picture goes; HTML writes an ``<img>``, other builders skip it."""


class AntfinFigure(SphinxDirective):
    """``{antfin-figure} NAME``: a picture drawn at build time, with an optional caption."""

    required_arguments = 1
    has_content = True
    option_spec = {"alt": directives.unchanged_required}  # noqa: RUF012 (docutils' interface)

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        if name not in FIGURES:
            raise self.error(f"unknown antfin figure {name!r}; known: {', '.join(sorted(FIGURES))}")
        _figure_docs(self.env).add(self.env.docname)
        figure = nodes.figure(classes=["antfin-figure"])
        figure += antfin_figure(name=name, alt=self.options.get("alt", name))
        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            first = parsed.children[0] if parsed.children else None
            if isinstance(first, nodes.paragraph):
                figure += nodes.caption(first.rawsource, "", *first.children)
                rest = parsed.children[1:]
            else:
                rest = parsed.children
            if rest:
                figure += nodes.legend("", *rest)
        return [figure]


def _visit_html(translator: Any, node: antfin_figure) -> None:
    name = node["name"]
    builder = translator.builder
    done: set[str] = builder.__dict__.setdefault("_antfin_figures_drawn", set())
    if name not in done:
        render(name, Path(builder.outdir) / "_images" / "antfin" / f"{name}.svg")
        done.add(name)
    src = f"{builder.imgpath}/antfin/{name}.svg"
    alt = translator.attval(node["alt"])
    translator.body.append(f'<img src="{src}" alt="{alt}" class="antfin-figure" loading="lazy" />')
    raise nodes.SkipNode


def _skip(_translator: Any, _node: antfin_figure) -> None:
    raise nodes.SkipNode


def _figure_docs(env: Any) -> set[str]:
    """The documents that show a figure (kept in the build environment)."""
    docs: set[str] = env.__dict__.setdefault("antfin_figure_docs", set())
    return docs


def _purge(_app: Any, env: Any, docname: str) -> None:
    _figure_docs(env).discard(docname)


def _merge(_app: Any, env: Any, docnames: set[str], other: Any) -> None:
    _figure_docs(env).update(_figure_docs(other) & set(docnames))


def _always_redraw(_app: Any, env: Any, _added: set[str], _changed: set[str], _removed: set[str]) -> list[str]:
    """Pages with figures are rebuilt every time: their pictures depend on antfin's code, not on the page."""
    return sorted(_figure_docs(env) & set(env.found_docs))


def setup(app: Any) -> dict[str, Any]:
    """Register the ``antfin-figure`` directive."""
    skip = (_skip, None)
    app.add_node(antfin_figure, html=(_visit_html, None), latex=skip, text=skip, man=skip, texinfo=skip)
    app.add_directive("antfin-figure", AntfinFigure)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _always_redraw)
    return {"parallel_read_safe": True, "parallel_write_safe": False}
