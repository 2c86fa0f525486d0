"""Generated values (ids, merchant names, amounts), reproducible under a seed.

Each value is derived from the seed and the thing it belongs to (an order, a call), not from a
shared random stream, so the same order gets the same values whatever else was requested before.
"""

from __future__ import annotations

import hashlib
import secrets

from faker import Faker


class Generator:
    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed if seed is not None else secrets.randbits(32)
        self._faker = Faker("zh_CN")

    def faker_for(self, *parts: object) -> Faker:
        """The shared Faker instance, reseeded for this (seed, *parts)."""
        material = "\x1f".join([str(self.seed), *map(str, parts)]).encode()
        self._faker.seed_instance(int.from_bytes(hashlib.sha256(material).digest()[:8], "big"))
        return self._faker

    def order_values(self, mid: str, mer_order_id: str) -> dict[str, object]:
        """What the platform would have recorded for an order it created."""
        fake = self.faker_for("order", mid, mer_order_id)
        rng = fake.random  # digits straight from the seeded stream: Faker's numerify costs ~10x more
        seq_id = f"{rng.randrange(10**11):011d}{chr(65 + rng.randrange(26))}"
        return {
            "seqId": seq_id,
            "settleRefId": seq_id,
            "targetMid": f"{rng.randrange(10**9):09d}",
            "merName": fake.company(),
            "totalAmount": rng.randint(1, 99_999),
            "targetOrderId": f"4200001{rng.randrange(10**21):021d}",
        }
