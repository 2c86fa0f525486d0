"""Generated values (ids, merchant names, amounts), reproducible under a seed.

Each value is derived from the seed and the thing it belongs to (an order, a call), not from a
shared random stream, so the same order gets the same values whatever else was requested before.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import string
from datetime import datetime

from faker import Faker

from mockums.clock import BEIJING
from mockums.protocol.wallets import Wallet

_ALPHANUMERIC = string.ascii_letters + string.digits


def shaped(template: str, rng: random.Random, now: float) -> str:
    """An id in a wallet's shape (protocol.wallets): `#` a digit, `@` a letter or digit, `{date}` yyyyMMdd."""
    text = template.replace("{date}", datetime.fromtimestamp(now, BEIJING).strftime("%Y%m%d"))
    return "".join(str(rng.randrange(10)) if c == "#" else rng.choice(_ALPHANUMERIC) if c == "@" else c
                   for c in text)


class Generator:
    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._faker = Faker("zh_CN")

    def faker_for(self, *parts: object) -> Faker:
        """The shared Faker instance, reseeded for this (seed, *parts)."""
        material = "\x1f".join([str(self.seed), *map(str, parts)]).encode()
        self._faker.seed_instance(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))
        return self._faker

    def order_values(self, mid: str, mer_order_id: str, wallet: Wallet, now: float) -> dict[str, object]:
        """What the platform would have recorded for an order it created, in its wallet's shapes."""
        fake = self.faker_for("order", mid, mer_order_id)
        rng = fake.random  # digits straight from the seeded stream: Faker's numerify costs ~10x more
        seq_id = f"{rng.randrange(10**11):011d}{chr(65 + rng.randrange(26))}"
        return {
            "seqId": seq_id,
            "settleRefId": seq_id,
            "targetMid": shaped(wallet.target_mid.text, rng, now),
            "merName": fake.company(),
            "totalAmount": rng.randint(1, 99_999),
            "targetOrderId": shaped(wallet.target_order_id.text, rng, now),
        }

    def wallet_id(self, template: str, now: float, *parts: object) -> str:
        """Another id in a wallet's shape (a buyer, a refund), derived from the seed and `parts`."""
        return shaped(template, self.faker_for(*parts).random, now)
