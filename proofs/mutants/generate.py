"""Mutants generated from the reference: one small random edit of a solution cell each.

The hand-written mutants in ``lessonNN.py`` are the mistakes we anticipated; these are the ones nobody
listed: a flipped sign, a dropped term, a swapped axis, an off-by-one slice or constant, a changed
comparison. Each is the reference cell with exactly one AST node changed, so a changed reference changes
the mutants with it. Some edits change nothing that matters (an equivalent mutant); a run reports them
as surviving, for a human to read.
"""

from __future__ import annotations

import ast
import copy
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Generated:
    exercise: str
    mistake: str  # the edit, in words, with the line it applies to
    code: str  # the whole mutated cell


_SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div}
_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
_OP_TEXT = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
}


def _sites(tree: ast.AST) -> list[tuple[str, ast.AST, str]]:
    """(kind, node, extra) for every place an edit can apply, inside function bodies only."""
    sites = []
    for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        for node in ast.walk(fn):
            if isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINOP:
                sites.append(("swap operator", node, ""))
                if type(node.op) in (ast.Add, ast.Sub):
                    sites.append(("drop the right term", node, ""))
            elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _SWAP_CMP:
                sites.append(("change the comparison", node, ""))
            elif (
                isinstance(node, ast.keyword)
                and node.arg in ("axis", "axes")
                and isinstance(node.value, (ast.Constant, ast.Tuple))
            ):
                sites.append(("change the axis", node, ""))
            elif isinstance(node, ast.Slice):
                for part in ("lower", "upper"):
                    if getattr(node, part) is not None:
                        sites.append(("off-by-one slice", node, part))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "transpose"
                and len(node.args) >= 2
            ):
                sites.append(("swap transposed axes", node, ""))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
                sites.append(("drop a minus sign", node, ""))
    return sites


def _apply(kind: str, node: ast.AST, extra: str) -> str | None:
    """Edit ``node`` in place; a description, or None when the edit does not apply."""
    line = getattr(node, "lineno", "?")
    if kind == "swap operator":
        old = type(node.op)
        node.op = _SWAP_BINOP[old]()
        return f"line {line}: {_OP_TEXT[old]} became {_OP_TEXT[type(node.op)]}"
    if kind == "drop the right term":
        return f"line {line}: the term after {_OP_TEXT[type(node.op)]} dropped"
    if kind == "change the comparison":
        old = type(node.ops[0])
        node.ops = [_SWAP_CMP[old]()]
        return f"line {line}: {_OP_TEXT[old]} became {_OP_TEXT[type(node.ops[0])]}"
    if kind == "change the axis":
        value = node.value
        if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
            new = 1 if value.value == 0 else 0
            node.value = ast.Constant(new)
            return f"line {line}: axis={value.value} became axis={new}"
        if isinstance(value, ast.Tuple) and value.elts and all(isinstance(e, ast.Constant) for e in value.elts):
            dropped = ast.unparse(value.elts[-1])
            value.elts = value.elts[:-1] or [ast.Constant(0)]
            return f"line {line}: axis {dropped} dropped from {node.arg}"
        return None
    if kind == "off-by-one slice":
        bound = getattr(node, extra)
        setattr(node, extra, ast.BinOp(left=bound, op=ast.Add(), right=ast.Constant(1)))
        return f"line {line}: the slice's {extra} bound one too far ({ast.unparse(bound)} + 1)"
    if kind == "swap transposed axes":
        node.args[0], node.args[1] = node.args[1], node.args[0]
        return f"line {line}: the first two axes of a transpose swapped"
    if kind == "drop a minus sign":
        return f"line {line}: a minus sign dropped"
    return None


class _Replace(ast.NodeTransformer):
    """Replace one node (found by identity) by another: the edits that remove a node."""

    def __init__(self, target: ast.AST, replacement: ast.AST):
        self.target, self.replacement = target, replacement

    def visit(self, node):
        if node is self.target:
            return self.replacement
        return self.generic_visit(node)


def generate(exercise: str, reference: str, count: int = 8, seed: int = 0) -> list[Generated]:
    """Up to ``count`` mutants of ``reference`` (a solution cell's source), each one edit, drawn with ``seed``."""
    tree = ast.parse(reference)
    sites = _sites(tree)
    rng = random.Random(f"{seed}:{exercise}")
    order = list(range(len(sites)))
    rng.shuffle(order)
    out, seen = [], set()
    for index in order:
        if len(out) >= count:
            break
        mutated = copy.deepcopy(tree)
        kind, node, extra = _sites(mutated)[index]
        if kind == "drop the right term":
            description = _apply(kind, node, extra)
            mutated = _Replace(node, node.left).visit(mutated)
        elif kind == "drop a minus sign":
            description = _apply(kind, node, extra)
            mutated = _Replace(node, node.operand).visit(mutated)
        else:
            description = _apply(kind, node, extra)
        if description is None:
            continue
        code = ast.unparse(ast.fix_missing_locations(mutated))
        if code in seen or code == ast.unparse(tree):
            continue
        seen.add(code)
        out.append(Generated(exercise, f"{kind}: {description}", code))
    return out
