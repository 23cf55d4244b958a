"""Plain data across a socket, without pickle: what the verifier and the student's process exchange.

The student's process (``function_server``) is hostile: anything it sends is decoded here into plain
built-in values and exact ``numpy.ndarray`` objects, or refused. Nothing is ever unpickled, imported or
called while decoding, and sizes, depth and dtypes are bounded.

A frame is ``[8-byte length of the JSON header][JSON header][raw buffers]``; the header names the
buffers' lengths. A value is a JSON tree:

    null, true, false, "text"         None, bool, str
    {"i": "123"}                      int (as text: any size, no float rounding)
    {"f": "0x1.8p+1"}                 float, as float.hex (so nan and inf survive)
    {"c": [re, im]}                   complex
    {"T": [...]} / {"L": [...]}       tuple / list
    {"D": [[key, value], ...]}        dict (keys: str, int, float, bool, None, tuple of those)
    {"A": n, "d": "<f8", "s": [...]}  ndarray: buffer n, dtype, shape (C order)
    {"S": "<f8", "v": value}          NumPy scalar
    {"G": state}                      numpy.random.Generator(PCG64) with that bit-generator state
    {"H": n}                          a handle: an object that stays in the student's process
    {"R": n, ...}                     an argument the callee may change in place (ref n, see verify.py)
"""

from __future__ import annotations

import json
import socket
import struct

import numpy as np

MAX_HEADER = 64 * 1024 * 1024
MAX_BUFFERS = 256 * 1024 * 1024  # per message: far above any test's arrays
MAX_DEPTH = 32
MAX_NODES = 2_000_000
MAX_INT_DIGITS = 4000
_ALLOWED_KINDS = "biufc"


class WireError(Exception):
    """A frame or value that is not what the protocol allows (always the sender's fault)."""


class Handle:
    """An object that lives in the student's process; only its number crosses the wire."""

    __slots__ = ("id",)

    def __init__(self, id: int):
        self.id = id

    def __repr__(self):
        return f"<object #{self.id} in the student's process>"


# ---------------------------------------------------------------- framing


def send(sock: socket.socket, header: dict, buffers: list[bytes] | None = None) -> None:
    buffers = buffers or []
    header = dict(header, bufs=[len(b) for b in buffers])
    raw = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    sock.sendall(struct.pack(">Q", len(raw)) + raw)
    for b in buffers:
        sock.sendall(b)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket) -> tuple[dict, list[bytes]]:
    (n,) = struct.unpack(">Q", _recv_exact(sock, 8))
    if n > MAX_HEADER:
        raise WireError(f"header of {n} bytes (limit {MAX_HEADER})")
    try:
        header = json.loads(_recv_exact(sock, n), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise WireError(f"header is not JSON: {exc}") from None
    if type(header) is not dict:
        raise WireError("header is not a JSON object")
    lengths = header.get("bufs", [])
    if type(lengths) is not list or any(type(x) is not int or x < 0 for x in lengths):
        raise WireError("bad buffer lengths")
    if sum(lengths) > MAX_BUFFERS:
        raise WireError(f"{sum(lengths)} bytes of buffers (limit {MAX_BUFFERS})")
    return header, [_recv_exact(sock, x) for x in lengths]


def _no_constant(name):
    raise WireError(f"JSON constant {name} is not allowed")


# ---------------------------------------------------------------- values


class Encoder:
    """Turn a value into a JSON tree plus buffers. ``other`` decides what to do with anything that is
    not plain data (raise, or keep it and send a handle). ``refs`` numbers in-place-changeable
    arguments (arrays, lists, dicts, generators) so the callee's changes can be sent back."""

    def __init__(self, other=None, track_refs: bool = False, normalize: bool = False):
        self.normalize = normalize  # send a subclass of a plain type (torch.Size, an int subclass) as that type
        self.buffers: list[bytes] = []
        self.other = other
        self.track_refs = track_refs
        self.refs: list[object] = []
        self._ref_ids: dict[int, int] = {}

    def encode(self, value, depth: int = 0):
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        t = type(value)
        if value is None or t is bool or t is str:
            return value
        if t is int:
            return {"i": str(value)}
        if t is float:
            return {"f": value.hex()}
        if t is complex:
            return {"c": [value.real.hex(), value.imag.hex()]}
        if t is tuple:
            return {"T": [self.encode(v, depth + 1) for v in value]}
        if t is np.ndarray and value.dtype.kind in _ALLOWED_KINDS and value.dtype.fields is None:
            return self._ref(value, lambda: self._array(value))
        if t is list:
            return self._ref(value, lambda: {"L": [self.encode(v, depth + 1) for v in value]})
        if t is dict:
            return self._ref(
                value, lambda: {"D": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()]}
            )
        if isinstance(value, np.generic) and t in _SCALAR_TYPES:
            return {"S": value.dtype.str, "v": self.encode(value.item(), depth + 1)}
        if t is np.random.Generator and type(value.bit_generator) is np.random.PCG64:
            return self._ref(value, lambda: {"G": self.encode(value.bit_generator.state, depth + 1)})
        if self.normalize:
            for base in (int, float, complex, str, tuple, list, dict):
                if isinstance(value, base) and t is not base:
                    try:
                        plain = base(value) if base is not dict else dict(value.items())
                    except Exception:
                        break
                    return self.encode(plain, depth + 1)
        if self.other is None:
            raise TypeError(f"cannot send a {t.__module__}.{t.__qualname__} to the student's process")
        return {"H": self.other(value)}

    def _array(self, a: np.ndarray) -> dict:
        a = np.ascontiguousarray(a)
        self.buffers.append(a.tobytes())
        return {"A": len(self.buffers) - 1, "d": a.dtype.str, "s": list(a.shape)}

    def _ref(self, value, build):
        if not self.track_refs:
            return build()
        if id(value) in self._ref_ids:  # the same object twice: one object on the other side too
            return {"R": self._ref_ids[id(value)]}
        self._ref_ids[id(value)] = n = len(self.refs)
        self.refs.append(value)
        return {"R": n, "v": build()}


_SCALAR_TYPES = {
    np.bool_,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint16,
    np.uint32,
    np.uint64,
    np.float16,
    np.float32,
    np.float64,
    np.complex64,
    np.complex128,
}


class Decoder:
    """Turn a JSON tree plus buffers back into plain values; refuse anything else.

    ``handle`` makes the local stand-in for a handle number (None: handles are refused)."""

    def __init__(self, buffers: list[bytes], handle=None):
        self.buffers = buffers
        self.handle = handle
        self.nodes = 0
        self.refs: dict[int, object] = {}

    def decode(self, node, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise WireError("value has too many parts")
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        t = type(node)
        if node is None or t is bool or t is str:
            return node
        if t is not dict or len(node) == 0:
            raise WireError(f"unexpected JSON {t.__name__}")
        tag = next(iter(node))
        body = node[tag]
        if tag == "i":
            if type(body) is not str or len(body) > MAX_INT_DIGITS:
                raise WireError("bad integer")
            try:
                return int(body, 10)
            except ValueError:
                raise WireError("bad integer") from None
        if tag == "f":
            return _float(body)
        if tag == "c":
            if type(body) is not list or len(body) != 2:
                raise WireError("bad complex")
            return complex(_float(body[0]), _float(body[1]))
        if tag in ("T", "L"):
            if type(body) is not list:
                raise WireError("bad sequence")
            items = [self.decode(v, depth + 1) for v in body]
            return tuple(items) if tag == "T" else items
        if tag == "D":
            if type(body) is not list:
                raise WireError("bad dict")
            out = {}
            for pair in body:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("bad dict item")
                key = self.decode(pair[0], depth + 1)
                if not _hashable_plain(key):
                    raise WireError("dict key is not a plain value")
                out[key] = self.decode(pair[1], depth + 1)
            return out
        if tag == "A":
            return self._array(node)
        if tag == "S":
            dtype = _dtype(body)
            value = self.decode(node.get("v"), depth + 1)
            if type(value) not in (bool, int, float, complex):
                raise WireError("bad scalar")
            try:
                return dtype.type(value)
            except (OverflowError, TypeError, ValueError):
                raise WireError("scalar out of range for its dtype") from None
        if tag == "G":
            state = self.decode(body, depth + 1)
            return _generator(state)
        if tag == "H":
            if self.handle is None or type(body) is not int:
                raise WireError("a handle is not allowed here")
            return self.handle(body)
        if tag == "R":
            if type(body) is not int:
                raise WireError("bad reference")
            if "v" not in node:
                if body not in self.refs:
                    raise WireError("reference to an unknown argument")
                return self.refs[body]
            value = self.decode(node["v"], depth + 1)
            self.refs[body] = value
            return value
        raise WireError(f"unknown tag {tag!r}")

    def _array(self, node) -> np.ndarray:
        index, shape = node.get("A"), node.get("s")
        if type(index) is not int or not 0 <= index < len(self.buffers):
            raise WireError("bad buffer index")
        dtype = _dtype(node.get("d"))
        if type(shape) is not list or len(shape) > 32 or any(type(s) is not int or s < 0 for s in shape):
            raise WireError("bad shape")
        raw = self.buffers[index]
        size = 1
        for s in shape:
            size *= s
        if size * dtype.itemsize != len(raw):
            raise WireError("buffer length does not match the shape and dtype")
        try:  # an empty buffer may still claim dimensions no array can have ([0, 10**30])
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()  # a writable array of its own
        except ValueError:
            raise WireError("the shape is not one an array can have") from None


def _float(text) -> float:
    if type(text) is not str or len(text) > 40:
        raise WireError("bad float")
    try:
        return float.fromhex(text)
    except (ValueError, OverflowError):
        raise WireError("bad float") from None


def _dtype(text) -> np.dtype:
    if type(text) is not str or len(text) > 6:
        raise WireError("bad dtype")
    try:
        dtype = np.dtype(text)
    except TypeError:
        raise WireError(f"bad dtype {text!r}") from None
    if (
        dtype.kind not in _ALLOWED_KINDS
        or dtype.fields is not None
        or dtype.subdtype is not None
        or dtype.itemsize > 16
        or not dtype.isnative
    ):
        raise WireError(f"dtype {text!r} is not allowed")
    return dtype


def _hashable_plain(key) -> bool:
    if key is None or type(key) in (str, int, float, bool):
        return True
    return type(key) is tuple and all(_hashable_plain(k) for k in key)


def _generator(state) -> np.random.Generator:
    if type(state) is not dict or state.get("bit_generator") != "PCG64":
        raise WireError("only PCG64 generators cross the wire")
    inner = state.get("state")
    if type(inner) is not dict or type(inner.get("state")) is not int or type(inner.get("inc")) is not int:
        raise WireError("bad generator state")
    bits = np.random.PCG64()
    try:
        bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": inner["state"], "inc": inner["inc"]},
            "has_uint32": int(state.get("has_uint32", 0)),
            "uinteger": int(state.get("uinteger", 0)),
        }
    except (TypeError, ValueError, OverflowError):
        raise WireError("bad generator state") from None
    return np.random.Generator(bits)


def update_in_place(target, new) -> bool:
    """Give ``target`` (an argument the student's function changed) the value ``new``, as an in-place
    change in one process would have. Returns False where that is not possible."""
    if type(target) is np.ndarray and type(new) is np.ndarray:
        if target.shape != new.shape or not target.flags.writeable:
            return False
        target[...] = new.astype(target.dtype, copy=False)
        return True
    if type(target) is list and type(new) is list:
        target[:] = new
        return True
    if type(target) is dict and type(new) is dict:
        target.clear()
        target.update(new)
        return True
    if type(target) is np.random.Generator and type(new) is np.random.Generator:
        target.bit_generator.state = new.bit_generator.state
        return True
    return False
