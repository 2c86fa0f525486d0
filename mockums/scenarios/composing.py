"""What composing a large file takes besides the parser: the collector paused while the nodes pile up, and
the nesting check of a tree libyaml's composer made (see `walker.compose_yaml`)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from yaml.nodes import MappingNode, Node, ScalarNode


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a file is composed and read, back as it was after.

    Reading makes hundreds of thousands of objects that all stay alive (nodes, marks, scenarios), so every
    collection the allocations trigger finds nothing to free, and the full ones scan a heap that keeps
    growing: 10,000 scenarios loaded in 4.0 s of CPU with the collector on, 2.3 s with it paused.
    What is garbage by the end is collected at the next collection after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def within_nesting(root: Node, limit: int) -> bool:
    """Whether the composer that counts levels (`walker._NestingLimitedLoader`) accepts this tree: no node more than
    `limit` levels deep, the root being level 1, a node counted where it is anchored and an alias one level
    where it stands. Nodes are visited in document order, each once, so an anchored node comes before its
    aliases and a recursive alias ends the walk; scalars are seen from their parent only."""
    seen: set[int] = set()

    def fits(node: Node, room: int) -> bool:  # room: the levels allowed below this node
        if id(node) in seen:
            return True
        seen.add(id(node))
        if not node.value:
            return True
        if room == 0:
            return False
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if not (isinstance(key, ScalarNode) or fits(key, room - 1)):
                    return False
                if not (isinstance(value, ScalarNode) or fits(value, room - 1)):
                    return False
            return True
        return all(isinstance(item, ScalarNode) or fits(item, room - 1) for item in node.value)

    return isinstance(root, ScalarNode) or fits(root, limit - 1)
