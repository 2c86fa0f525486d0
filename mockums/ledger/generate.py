"""Generated values (ids, merchant names, amounts), reproducible under a seed.

Each value is derived from the seed and the thing it belongs to (an order, a call), not from a
shared random stream, so the same order gets the same values whatever else was requested before.
An order's platform values are cheap enough to derive (one hash) that orders do not store them.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import secrets
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mockums.clock import beijing_date
from mockums.protocol.wallets import Wallet
from mockums.state.cell import Cell, MemoryCell

if TYPE_CHECKING:
    from faker import Faker

_ALPHANUMERIC = string.ascii_letters + string.digits


def _dated(template: str, now: float) -> str:
    return template.replace("{date}", beijing_date(now)) if "{" in template else template


def _filled(runs: tuple[tuple[str, str, int], ...], number: int) -> tuple[str, int]:
    """An id in a wallet's shape (its template cut by `_runs`) with its digits and letters taken from
    `number`; the rest of `number`."""
    out = []
    for kind, text, modulus in runs:
        if kind == "#":  # a run of digits, the first from the lowest digit of `number`
            number, chunk = divmod(number, modulus)
            # The run's digits with leading zeros, reversed: str() of chunk + 10**length, read backwards without
            # its leading 1 (format(chunk, "0Nd")[::-1] parses its format spec every time: 1.1 against 0.3 µs).
            out.append(str(chunk + modulus)[:0:-1])
        elif kind == "@":
            for _ in text:
                number, index = divmod(number, len(_ALPHANUMERIC))
                out.append(_ALPHANUMERIC[index])
        else:
            out.append(text)
    return "".join(out), number


@functools.lru_cache(maxsize=64)
def _runs(template: str, date: str) -> tuple[tuple[str, str, int], ...]:
    """A template, its `{date}` filled in, cut into runs of `#`, of `@` and of literal text, each as
    (kind, text, 10**length): ("#", "###", 1000), ("", "4200", 0)…"""
    runs = []
    for run in re.findall(r"#+|@+|[^#@]+", template.replace("{date}", date)):
        if run[0] == "#":
            runs.append(("#", run, 10 ** len(run)))
        else:
            runs.append((run[0] if run[0] == "@" else "", run, 0))
    return tuple(runs)


class _Names:
    """Faker's zh_CN company names ("{{company_prefix}}{{company_suffix}}"), drawn from its own word lists, and the
    places of an order's number its seqId (11 digits and a letter), amount and name take, lowest first (`head`)."""

    def __init__(self) -> None:
        from faker.providers.company.zh_CN import Provider  # noqa: PLC0415 - with Faker, when a Generator is made

        self.prefixes: tuple[str, ...] = tuple(Provider.company_prefixes)
        self.suffixes: tuple[str, ...] = tuple(Provider.company_suffixes)
        self.head = 10**11 * 26 * 99_999 * len(self.prefixes) * len(self.suffixes)


@functools.cache
def _names() -> _Names:
    """The word lists, read once: Faker is imported when the first Generator is made, not with this module (which
    the command line's `sign` imports without making one)."""
    return _Names()


def _wallet_ids(mid_template: str, order_template: str, date: str, number: int) -> tuple[str, str]:
    """targetMid and targetOrderId from `number`: the first from its lowest places, the second from the next."""
    target_mid, number = _filled(_runs(mid_template, date), number)
    return target_mid, _filled(_runs(order_template, date), number)[0]


def shaped(template: str, rng: random.Random, now: float) -> str:
    """An id in a wallet's shape (protocol.wallets): `#` a digit, `@` a letter or digit, `{date}` yyyyMMdd."""
    text = _dated(template, now)
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice(_ALPHANUMERIC) if c == "@" else c
                   for c in text)


class Generator:
    """Values derived from the seed in force (kept in a cell, so every process of one sandbox derives alike)."""

    def __init__(self, seed: int | None = None, *, cell: Cell[int] | None = None) -> None:
        """`cell` keeps the seed (a new one holding `seed`, or a random seed, when not given)."""
        self._seed: Cell[int] = cell if cell is not None else MemoryCell(
            seed if seed is not None else secrets.randbits(32))
        from faker import Faker  # noqa: PLC0415 - here, not with the module (`_names`)

        self._faker = Faker("zh_CN")
        self._names = _names()
        # A request that creates an order and shows it derives the same values twice: the last are kept.
        self._last: tuple[tuple[int, str, str, str, float], Mapping[str, object]] = ((0, "", "", "", 0.0), {})

    @property
    def seed(self) -> int:
        """The seed in force."""
        return self._seed.get()

    @seed.setter
    def seed(self, value: int) -> None:
        self._seed.update(lambda _: value)

    def faker_for(self, *parts: object) -> Faker:
        """The shared Faker instance, reseeded for this (seed, *parts)."""
        material = "\x1f".join([str(self.seed), *map(str, parts)]).encode()
        self._faker.seed_instance(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))
        return self._faker

    def order_values(self, mid: str, mer_order_id: str, wallet: Wallet, created_at: float,
                     seed: int | None = None) -> Mapping[str, object]:
        """What the platform would have recorded for an order it created, in its wallet's shapes (under
        `seed`, default the current one). Read-only: the same mapping may be handed out again.

        Every value comes from one BLAKE2b digest of (seed, mid, merOrderId), read as one number in mixed
        radix: the lowest places give seqId, its letter, the amount and the name, the next ones the wallet
        ids' digits. A few µs, where seeding and asking Faker took about 30 µs, so an order can derive them
        again when shown instead of keeping them.
        """
        seed = self.seed if seed is None else seed
        key = (seed, mid, mer_order_id, wallet.target_sys, created_at)
        if key == self._last[0]:  # a request that creates an order and shows it asks twice
            return self._last[1]
        material = f"{seed}\x1forder\x1f{mid}\x1f{mer_order_id}".encode()
        number = int.from_bytes(hashlib.blake2b(material, digest_size=64).digest(), "big")
        names = self._names
        number, head = divmod(number, names.head)  # one division of the long number; the rest on a short one
        head, seq = divmod(head, 10**11)
        head, letter = divmod(head, 26)
        head, amount = divmod(head, 99_999)
        suffix, prefix = divmod(head, len(names.prefixes))
        target_mid, target_order_id = _wallet_ids(wallet.target_mid.text, wallet.target_order_id.text,
                                                  beijing_date(created_at), number)
        seq_id = f"{seq:011d}{chr(65 + letter)}"
        values: dict[str, object] = {
            "seqId": seq_id,
            "settleRefId": seq_id,
            "targetMid": target_mid,
            "merName": names.prefixes[prefix] + names.suffixes[suffix],
            "totalAmount": amount + 1,
            "targetOrderId": target_order_id,
        }
        self._last = (key, values)
        return values

    def merchant_name(self, mid: str, key: str) -> str:
        """A merchant name for something that is not an order (a QR code), derived like an order's."""
        material = f"{self.seed}\x1fmerchant\x1f{mid}\x1f{key}".encode()
        number = int.from_bytes(hashlib.blake2b(material, digest_size=16).digest(), "big")
        names = self._names
        number, prefix = divmod(number, len(names.prefixes))
        return names.prefixes[prefix] + names.suffixes[number % len(names.suffixes)]

    def wallet_id(self, template: str, now: float, *parts: object) -> str:
        """Another id in a wallet's shape (a buyer, a refund), derived from the seed and `parts`."""
        return shaped(template, self.faker_for(*parts).random, now)
