"""Walking a help tree from node to node: the shortest paths and the loops, found once for all.

A tree is given as its nodes (what answers `in`: a dict, a set) and a function giving a node's
choices as (label, target) pairs, the label being whatever the caller wants of a path (a slug, a
label, nothing). A choice leading to no node of the tree is not followed. The pages find the
answers that lead to a node here, the figures the path to each node, the tree rules the nodes no
path reaches and the loops.
"""

from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator

type Choices = Callable[[object], Iterable[tuple[object, object]]]


def shortest_paths(start, nodes: Container, choices: Choices) -> Iterator[tuple[object, tuple]]:
    """Each node a path from `start` reaches, nearest first, with the labels of the shortest path to it.

    The start comes first, with no labels; nothing comes when the start is not one of the nodes.
    """
    if start not in nodes:
        return
    paths = {start: ()}
    queue = deque([start])
    yield start, ()
    while queue:
        current = queue.popleft()
        for label, target in choices(current):
            if target in nodes and target not in paths:
                paths[target] = (*paths[current], label)
                queue.append(target)
                yield target, paths[target]


def reachable(start, nodes: Container, choices: Choices) -> set:
    """The nodes a path from `start` reaches, the start included (none when it is not one of the nodes)."""
    return {node for node, _path in shortest_paths(start, nodes, choices)}


def loops(nodes: Iterable, choices: Choices) -> Iterator[tuple[list, object]]:
    """Each choice that leads back to a node on the way to it, as (the loop's nodes, the choice's label).

    The loop's nodes run from the one the choice leads back to, to the one whose choice it is. The
    nodes are walked depth first from each in turn, in their order, each choice followed once.
    `nodes` is walked and asked `in`: a dict or a list, not an iterator.
    """
    done = set()
    for root in nodes:
        if root in done:
            continue
        path, on_path, stack = [root], {root}, [iter(choices(root))]
        while stack:
            for label, target in stack[-1]:
                if target not in nodes or target in done:
                    continue
                if target in on_path:
                    yield path[path.index(target) :], label
                    continue
                path.append(target)
                on_path.add(target)
                stack.append(iter(choices(target)))
                break
            else:
                stack.pop()
                key = path.pop()
                on_path.discard(key)
                done.add(key)
