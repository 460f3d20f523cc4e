#!/usr/bin/env python3
"""Write a synthetic bud decision as journals for hledger and ledger.

    python3 bench/journal.py IN.bud OUT

reads IN.bud, a decision written by `cargo run --release --example synth`, and
writes OUT.hledger.journal and OUT.ledger.journal: the same figures as postings,
and one balance assertion for every figure bud reconciles ("stated" figures), so
that `hledger check` and `ledger balance` read as many amounts and check as many
assertions as `bud check` reconciles for one variant of the decision. The counts
go to standard error. bench/README.md explains the mapping; in short, per table
`tN` of the decision and year `Y`:

  * one transaction per table and year, dated Y-01-01, posts each input row's
    figure for Y to `tN:expenditures:ROW`; its last posting, to
    `tN:appropriation:Y:subtotal`, has no amount: the tool infers it, minus the
    year's sub-total. In the last year each posting asserts the row's Total
    (`= 968.4`): the row's account then holds the sum of its years.
  * one transaction per table and year posts the programme support charge, 13%
    of the year's sub-total as bud computes it exactly (to the thousandth), to
    `tN:support`, against `tN:appropriation:Y:support`; in the last year it
    asserts the charge's Total.
  * one transaction per table, dated at the end of the period, asserts the
    remaining stated figures with postings of 0: each year's sub-total and
    support charge (leaf accounts), and, including subaccounts, the sub-total's
    Total (`tN:expenditures`), each year's grand total
    (`tN:appropriation:Y`) and the grand total's Total (`tN:appropriation`).
    hledger writes a subaccount-inclusive assertion as `0 =* AMOUNT`; ledger 3.3
    has no such posting syntax (its `=` is the account's own balance), so the
    ledger journal writes those as `assert account("A").total == AMOUNT`
    directives, which ledger evaluates while it reads the file.

The scale of assessments (a table apportioning Table 1's grand total among the
Parties) becomes one transaction per year of contributions (whole US$, as
published) and one of adjusted rates (commodity PCT), each posting asserting
its own figure, and one assertion per Party of its Total, including subaccounts.

An assertion cannot allow for rounding: it compares exactly. bud compares each
published figure with an exact value (a sum of the inputs; 13% of a sub-total)
and accepts a difference the rounding explains. So the journal asserts bud's
exact value where the published figure is that value rounded to a tenth, or a
digit off it (bud: "differ by rounding", as every seventh table's first grand
total); a published figure further off is asserted as published, so that the
tools fail where bud fails. (bud's tolerance for a sum of rounded lines can be
wider than one digit; synthetic files never need it.)

Standard library only.
"""

import re
import sys
from decimal import ROUND_HALF_UP, Decimal

TABLE = re.compile(r"^table\s+(\d+)\s+(\w+)\s*\{\s*$")
SCALE = re.compile(r"^scale\s+(\d+)\s+(\w+)\s*\{\s*$")
COLUMNS = re.compile(r"^\s+columns\s+(.*)$")
RATE = re.compile(r"^programme_support_rate\s*=\s*(\d+(?:\.\d+)?)%\s*$")
# `I. expenditures "Expenditures" {`: a section of input rows.
SECTION = re.compile(r'^\s+(?:[IVXLC]+\.\s+)?(\w+)\s+"[^"]*"\s*\{\s*$')
# `line_1 "Line 1" 120.6   847.8   968.4`, optionally `= formula`.
ROW = re.compile(r'^\s+(?:[A-Za-z0-9]+\.\s+)?(\w+)\s+"[^"]*"\s+([^=]*?)\s*(?:=\s*(.*?))?\s*$')
PARTY = re.compile(r'^\s+"([^"]*)"\s+(.*?)\s*$')
CLOSE = re.compile(r"^\s*\}\s*$")

# The computed rows of a synthetic table, and their formulas.
COMPUTED = {
    "subtotal": "sum(expenditures)",
    "support": "programme_support_rate of subtotal",
    "grand_total": "subtotal + support",
}


class NotSynthetic(Exception):
    """The file is not shaped like the synth example's output."""


def figure(token, places, where):
    """A published figure, exact: `1,234.5` -> Decimal("1234.5")."""
    text = token.replace(",", "")
    if not re.fullmatch(r"-?\d+(?:\.\d{1,%d})?" % max(places, 1), text) or (places == 0 and "." in text):
        raise NotSynthetic(f"{where}: `{token}` is not a figure with at most {places} decimals")
    return Decimal(text)


def cell(token, places, where):
    """A scale's figure, or None for `_`, a blank: a figure bud computes, not stated."""
    return None if token == "_" else figure(token, places, where)


def shown(value, commodity=""):
    """A figure as a journal amount: plain digits, a point, no exponent."""
    text = format(value, "f")
    return f"{text} {commodity}" if commodity else text


def parse(path):
    """The decision's support rate (per cent), tables and scale, figures as Decimals."""
    rate = None
    tables, scale = [], None
    current, section, in_scale = None, None, False
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            where = f"{path}:{number}"
            line = line.rstrip("\n")
            if match := RATE.match(line):
                rate = match.group(1)
            elif match := TABLE.match(line):
                current = {"number": int(match.group(1)), "name": match.group(2),
                           "years": None, "rows": [], "computed": {}}
                tables.append(current)
            elif match := SCALE.match(line):
                scale = {"number": int(match.group(1)), "name": match.group(2),
                         "years": None, "parties": []}
                in_scale = True
            elif current is None and not in_scale:
                continue
            elif match := COLUMNS.match(line):
                columns = match.group(1).split()
                if columns[-1] != "Total" or not all(c.isdigit() for c in columns[:-1]):
                    raise NotSynthetic(f"{where}: expected year columns then Total")
                (scale if in_scale else current)["years"] = columns[:-1]
            elif CLOSE.match(line):
                if section is not None:
                    section = None
                else:
                    current, in_scale = None, False
            elif in_scale:
                if match := PARTY.match(line):
                    tokens = match.group(2).split()
                    years = len(scale["years"])
                    if len(tokens) != 3 * years + 1:
                        raise NotSynthetic(f"{where}: expected {3 * years + 1} figures")
                    # Base rate, adjusted rate, contribution per year, then the Total.
                    per_year = [(cell(tokens[3 * y + 1], 3, where), cell(tokens[3 * y + 2], 0, where))
                                for y in range(years)]
                    scale["parties"].append((match.group(1), per_year, cell(tokens[-1], 0, where)))
            elif match := SECTION.match(line):
                if match.group(1) != "expenditures" or section is not None:
                    raise NotSynthetic(f"{where}: unexpected section `{match.group(1)}`")
                section = match.group(1)
            elif match := ROW.match(line):
                name, figures, formula = match.groups()
                values = [figure(token, 1, where) for token in figures.split()]
                if len(values) != len(current["years"]) + 1:
                    raise NotSynthetic(f"{where}: expected {len(current['years']) + 1} figures")
                if section is not None and formula is None:
                    current["rows"].append((name, values))
                elif section is None and COMPUTED.get(name) == formula:
                    current["computed"][name] = values
                else:
                    raise NotSynthetic(f"{where}: unexpected row `{name}` = {formula}")
    if rate is None:
        raise NotSynthetic(f"{path}: no `programme_support_rate = N%`")
    for table in tables:
        if sorted(table["computed"]) != sorted(COMPUTED) or not table["rows"]:
            raise NotSynthetic(f"{path}: table {table['number']} lacks input rows or computed rows")
    return figure(rate, 3, path), tables, scale


class Journal:
    """Both journals at once: the same text, except subaccount-inclusive assertions."""

    def __init__(self, prefix):
        self.files = {
            "hledger": open(f"{prefix}.hledger.journal", "w", encoding="utf-8"),
            "ledger": open(f"{prefix}.ledger.journal", "w", encoding="utf-8"),
        }
        self.pending = []  # ledger's `assert` directives, after the current transaction
        self.amounts = {}  # kind -> amounts written (not counting postings of 0)
        self.assertions = {}  # kind -> assertions written
        self.carried = 0  # assertions of a figure the journal posts itself
        self.carriers = {"hledger": 0, "ledger": 0}  # postings of 0 carrying an assertion
        self.totals_off = 0  # Parties' Totals asserted a US$ off the published one

    def write(self, text):
        for file in self.files.values():
            file.write(text)

    def transaction(self, date, description, tools=("hledger", "ledger")):
        self.end()
        for tool in tools:
            self.files[tool].write(f"\n{date} {description}\n")

    def posting(self, account, amount=None, kind=None, asserted=None, what=None, carried=False):
        """A posting of `amount` (inferred if None) counted as `kind`, asserting the
        account's own balance `asserted`, counted as `what`. A posting with an
        amount but no `kind` is a posting of 0 that only carries its assertion."""
        text = f"    {account}"
        if amount is not None:
            text += f"    {amount}"
            if kind is None:
                for tool in self.carriers:
                    self.carriers[tool] += 1
            else:
                self.amounts[kind] = self.amounts.get(kind, 0) + 1
        if asserted is not None:
            text += f" = {asserted}"
            self.assertions[what] = self.assertions.get(what, 0) + 1
            self.carried += carried
        self.write(text + "\n")

    def inclusive(self, account, asserted, what):
        """An assertion of an account's balance with its subaccounts: a posting of 0
        for hledger, an `assert` directive after the transaction for ledger."""
        self.files["hledger"].write(f"    {account}    0 =* {asserted}\n")
        self.carriers["hledger"] += 1
        self.pending.append(f'assert account("{account}").total == {asserted}\n')
        self.assertions[what] = self.assertions.get(what, 0) + 1

    def end(self):
        if self.pending:
            self.files["ledger"].write("\n" + "".join(self.pending))
            self.pending = []

    def close(self):
        self.end()
        for file in self.files.values():
            file.close()


TENTH = Decimal("0.1")


def checked(exact, published, where, rounding_off):
    """The value to assert for a figure bud computes exactly and the table publishes
    rounded half-up to a tenth."""
    rounded = exact.quantize(TENTH, rounding=ROUND_HALF_UP)
    if rounded == published:
        return exact
    if abs(rounded - published) == TENTH:
        rounding_off.append(where)  # bud: "differs by rounding"
        return exact
    return published  # bud: does not reconcile; the tools fail on it too


def write(rate, tables, scale, prefix):
    journal = Journal(prefix)
    rounding_off = []
    journal.write("; Written by bench/journal.py from a synthetic bud decision.\n")
    share = rate / 100
    for table in tables:
        t, years = f"t{table['number']}", table["years"]
        last = len(years) - 1
        title = f"Table {table['number']} {table['name']}"
        computed = table["computed"]
        subtotals = [sum(values[y] for _, values in table["rows"]) for y in range(len(years))]
        supports = [subtotal * share for subtotal in subtotals]  # exact, as bud computes them
        for y, year in enumerate(years):
            journal.transaction(f"{year}-01-01", f"{title}, {year}: expenditures")
            for name, values in table["rows"]:
                # In the last year, the row's account holds the sum of its years: its Total.
                total = None
                if y == last:
                    total = shown(checked(sum(values[:-1]), values[-1], f"{title} {name} Total",
                                          rounding_off))
                journal.posting(f"{t}:expenditures:{name}", shown(values[y]), "input figures",
                                total, "row Totals")
            journal.posting(f"{t}:appropriation:{year}:subtotal")
            journal.transaction(f"{year}-01-01", f"{title}, {year}: programme support charge")
            total = None
            if y == last:
                total = shown(checked(sum(supports), computed["support"][-1],
                                      f"{title} support Total", rounding_off))
            journal.posting(f"{t}:support", shown(supports[y]), "support charges (computed here)",
                            total, "computed-row figures")
            journal.posting(f"{t}:appropriation:{year}:support")
        journal.transaction(f"{years[-1]}-12-31", f"{title}: stated figures")
        # The sub-total of each year (the inferred postings), and its Total.
        for y, year in enumerate(years):
            value = checked(subtotals[y], computed["subtotal"][y], f"{title} subtotal {year}",
                            rounding_off)
            journal.posting(f"{t}:appropriation:{year}:subtotal", "0", None, shown(-value),
                            "computed-row figures")
        value = checked(sum(subtotals), computed["subtotal"][-1], f"{title} subtotal Total",
                        rounding_off)
        journal.inclusive(f"{t}:expenditures", shown(value), "computed-row figures")
        # The support charge of each year (its Total is asserted on the last posting).
        for y, year in enumerate(years):
            value = checked(supports[y], computed["support"][y], f"{title} support {year}",
                            rounding_off)
            journal.posting(f"{t}:appropriation:{year}:support", "0", None, shown(-value),
                            "computed-row figures", carried=True)
        # The grand total of each year, and its Total.
        grand = [subtotal + support for subtotal, support in zip(subtotals, supports)]
        for y, year in enumerate(years):
            value = checked(grand[y], computed["grand_total"][y], f"{title} grand total {year}",
                            rounding_off)
            journal.inclusive(f"{t}:appropriation:{year}", shown(-value), "computed-row figures")
        value = checked(sum(grand), computed["grand_total"][-1], f"{title} grand total Total",
                        rounding_off)
        journal.inclusive(f"{t}:appropriation", shown(-value), "computed-row figures")
    if scale is not None:
        write_scale(journal, scale)
    journal.close()
    return journal, rounding_off


def write_scale(journal, scale):
    t, years = f"t{scale['number']}", scale["years"]
    title = f"Table {scale['number']} {scale['name']}"
    accounts = [party.replace(" ", "_") for party, _, _ in scale["parties"]]
    for y, year in enumerate(years):
        # The apportionment is bud's to compute: the journal posts its published
        # results, and each posting asserts its own figure. A blank is not posted.
        journal.transaction(f"{year}-01-01", f"{title}, {year}: contributions")
        for account, (_, per_year, _) in zip(accounts, scale["parties"]):
            if per_year[y][1] is not None:
                amount = shown(per_year[y][1])
                journal.posting(f"{t}:contributions:{account}:{year}", amount,
                                "contributions (as published)", amount, "scale figures",
                                carried=True)
        journal.posting(f"{t}:apportioned:{year}")
        journal.transaction(f"{year}-01-01", f"{title}, {year}: adjusted rates")
        for account, (_, per_year, _) in zip(accounts, scale["parties"]):
            if per_year[y][0] is not None:
                amount = shown(per_year[y][0], "PCT")
                journal.posting(f"{t}:rates:{account}:{year}", amount,
                                "adjusted rates (as published)", amount, "scale figures",
                                carried=True)
        journal.posting(f"{t}:rates:sum:{year}")
    # Only subaccount-inclusive assertions: ledger's are directives, not postings.
    journal.transaction(f"{years[-1]}-12-31", f"{title}: stated Totals", tools=("hledger",))
    off = 0
    for account, (party, per_year, total) in zip(accounts, scale["parties"]):
        if total is None or any(contribution is None for _, contribution in per_year):
            continue
        added = sum(contribution for _, contribution in per_year)
        # Each year is rounded to a whole US$ on its own: their sum can miss the
        # published Total (the exact sum, rounded) by up to half a US$ a year.
        if abs(added - total) * 2 > len(years):
            raise NotSynthetic(f"{title}: {party}'s Total {total} is not its years' sum {added}")
        off += added != total
        journal.inclusive(f"{t}:contributions:{account}", shown(added), "scale figures")
    journal.totals_off = off


def say(text):
    print(text, file=sys.stderr)


def main(arguments):
    if len(arguments) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    source, prefix = arguments
    try:
        rate, tables, scale = parse(source)
        journal, rounding_off = write(rate, tables, scale, prefix)
    except (NotSynthetic, OSError) as error:
        print(f"journal.py: {error}", file=sys.stderr)
        return 1
    rows = sum(len(t["rows"]) for t in tables)
    years = len(tables[0]["years"]) if tables else 0
    parties = len(scale["parties"]) if scale else 0
    amounts = sum(journal.amounts.values())
    assertions = sum(journal.assertions.values())
    inputs = journal.amounts.get("input figures", 0)
    published = sum(sum(cell is not None for pair in per_year for cell in pair) + (total is not None)
                    for _, per_year, total in (scale["parties"] if scale else []))
    expected = rows + len(tables) * 3 * (years + 1) + published
    say(f"journal.py: {source}: {len(tables)} tables, {rows} input rows, {years} years, "
        f"{parties} Parties")
    say(f"  amounts written: {amounts} = "
        + " + ".join(f"{n} {kind}" for kind, n in journal.amounts.items()))
    say(f"  postings of 0 that only carry an assertion: {journal.carriers['hledger']} (hledger), "
        f"{journal.carriers['ledger']} (ledger)")
    say(f"  assertions: {assertions} = "
        + " + ".join(f"{n} {kind}" for kind, n in journal.assertions.items())
        + f"; {journal.carried} of them assert a figure the journal posts itself")
    say(f"  bud, by the language's rules: {expected} stated figures "
        "(rows + tables x 3 x (years + 1) + the scale's published adjusted rates, "
        "contributions and Totals, Parties x (2 x years + 1) unless blank), "
        f"{rows * years} input figures in the tables (rows x years)")
    if journal.totals_off:
        say(f"  {journal.totals_off} Parties' Totals are asserted as the sum of their published "
            "years, a US$ off the published Total (the exact sum, rounded; bud: match)")
    if rounding_off:
        say(f"  {len(rounding_off)} published figures are a rounding digit off bud's exact value "
            f"(bud: differ by rounding) and asserted exact: {', '.join(rounding_off[:3])}"
            + (" ..." if len(rounding_off) > 3 else ""))
    print(f"amounts={amounts} input_figures={inputs} assertions={assertions}")
    if assertions != expected or inputs != rows * years:
        say("journal.py: the counts differ from bud's")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
