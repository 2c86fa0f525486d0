"""Generated values (ids, merchant names, amounts), reproducible under a seed.

Each value is derived from the seed and the thing it belongs to (an order, a call), not from a
shared random stream, so the same order gets the same values whatever else was requested before.
An order's platform values are cheap enough to derive (one hash) that orders do not store them.
"""

from __future__ import annotations

import hashlib
import secrets

from faker import Faker
from faker.providers.company.zh_CN import Provider as ChineseCompanies

# Faker's zh_CN company names ("{{company_prefix}}{{company_suffix}}"), drawn from its own word lists.
_NAME_PREFIXES: tuple[str, ...] = tuple(ChineseCompanies.company_prefixes)
_NAME_SUFFIXES: tuple[str, ...] = tuple(ChineseCompanies.company_suffixes)
GENERATED = ("seqId", "settleRefId", "targetMid", "merName", "totalAmount", "targetOrderId")


class Generator:
    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._faker = Faker("zh_CN")

    def faker_for(self, *parts: object) -> Faker:
        """The shared Faker instance, reseeded for this (seed, *parts)."""
        material = "\x1f".join([str(self.seed), *map(str, parts)]).encode()
        self._faker.seed_instance(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))
        return self._faker

    def order_values(self, mid: str, mer_order_id: str, seed: int | None = None) -> dict[str, object]:
        """What the platform would have recorded for an order it created (under `seed`, default the current one).

        Every value comes from one BLAKE2b digest of (seed, mid, merOrderId): about 2 µs, where
        seeding and asking Faker took about 30 µs, so an order can derive them again when shown.
        """
        material = f"{self.seed if seed is None else seed}\x1forder\x1f{mid}\x1f{mer_order_id}".encode()
        number = int.from_bytes(hashlib.blake2b(material, digest_size=32).digest(), "big")
        number, seq = divmod(number, 10**11)
        number, letter = divmod(number, 26)
        number, target_mid = divmod(number, 10**9)
        number, amount = divmod(number, 99_999)
        number, target = divmod(number, 10**21)
        number, prefix = divmod(number, len(_NAME_PREFIXES))
        suffix = number % len(_NAME_SUFFIXES)
        seq_id = f"{seq:011d}{chr(65 + letter)}"
        return {
            "seqId": seq_id,
            "settleRefId": seq_id,
            "targetMid": f"{target_mid:09d}",
            "merName": _NAME_PREFIXES[prefix] + _NAME_SUFFIXES[suffix],
            "totalAmount": amount + 1,
            "targetOrderId": f"4200001{target:021d}",
        }
