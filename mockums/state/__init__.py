"""Generic building blocks of the sandbox's state, each a small typed repository with an in-memory
implementation: timed events (`timers`), single values (`cell`) and keyed records (`records`); their Redis
implementations are in `mockums.state.redis`. The repositories of orders, bills, tokens, sequences, the journal
and notifications live beside what they keep and are built from these."""

from mockums.state.cell import Cell, MemoryCell
from mockums.state.records import MemoryRecords, Records, record_name
from mockums.state.timers import MemoryTimers, TimerKey, TimerRepository

__all__ = ["Cell", "MemoryCell", "MemoryRecords", "MemoryTimers", "Records", "TimerKey", "TimerRepository",
           "record_name"]
