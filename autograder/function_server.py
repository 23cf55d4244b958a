"""The student's side of the verifier: run a submission's own cells, then call its functions on request.

Started by ``autograder.verify`` in the sandbox, with one end of a socket pair as file descriptor
``argv[1]``. Everything here runs in the student's process and may be changed by the student's code;
the verifier trusts none of it and decodes every reply as plain data (``wire``). Torch is not
importable here: graded functions are NumPy.

Requests: ``exec`` (a cell's source; replies with the names it bound), ``call`` (a name or handle with
arguments; replies with the result and the arguments it changed in place).
"""

from __future__ import annotations

import builtins
import os
import socket
import sys

import wire  # this file's folder is the only thing on sys.path besides the environment's

_SKIP_KINDS = (type(os),)  # modules: the trusted side has its own imports


class _NoTorch:
    """A meta-path finder that refuses torch (and what needs it) in the student's process."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "torchvision", "functorch"):
            raise ModuleNotFoundError(f"No module named {name!r} (graded functions may not use torch)")
        return None


class Server:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.ns = {"__name__": "__main__", "__builtins__": builtins}
        self.handles: dict[int, object] = {}
        self._handle_ids: dict[int, int] = {}
        self.seen: dict[str, int] = {}

    def handle_of(self, obj) -> int:
        if id(obj) not in self._handle_ids:
            n = len(self.handles)
            self.handles[n] = obj
            self._handle_ids[id(obj)] = n
        return self._handle_ids[id(obj)]

    def _error(self, exc: BaseException) -> dict:
        names = [k.__name__ for k in type(exc).__mro__ if getattr(builtins, k.__name__, None) is k]
        return {"ok": False, "error": {"types": names, "message": str(exc)[:4000]}}

    def changed_names(self, wanted: set[str]) -> tuple[dict, list[bytes]]:
        enc = wire.Encoder(other=self.handle_of, normalize=True)
        changed = []
        for name, value in list(self.ns.items()):
            if name not in wanted or self.seen.get(name) == id(value) or isinstance(value, _SKIP_KINDS):
                continue
            self.seen[name] = id(value)
            if callable(value):
                changed.append([name, "callable", None])
            else:
                try:
                    changed.append([name, "value", enc.encode(value)])
                except Exception:
                    changed.append([name, "value", {"H": self.handle_of(value)}])
        return {"ok": True, "changed": changed}, enc.buffers

    def do_exec(self, header: dict):
        wanted = set(header.get("names", []))
        try:
            code = compile(header["code"], f"<cell {header.get('cell')}>", "exec")
            exec(code, self.ns)
        except BaseException as exc:  # noqa: B036  (SystemExit and KeyboardInterrupt are the student's too)
            reply, buffers = self.changed_names(wanted)
            reply.update(self._error(exc), changed=reply["changed"])
            return reply, buffers
        return self.changed_names(wanted)

    def do_call(self, header: dict, buffers: list[bytes]):
        dec = wire.Decoder(buffers, handle=lambda n: self.handles[n])
        target = header["target"]
        fn = self.handles[target["H"]] if type(target) is dict else self.ns.get(target)
        args = [dec.decode(a) for a in header["args"]]
        kwargs = {k: dec.decode(v) for k, v in header["kwargs"]}
        before = {n: _snapshot(v) for n, v in dec.refs.items()}
        try:
            if fn is None:
                raise NameError(f"name {target!r} is not defined")
            result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: B036
            return self._error(exc), []
        enc = wire.Encoder(other=self.handle_of, normalize=True)
        mutated = []
        for n, value in dec.refs.items():
            if _snapshot(value) != before[n]:
                mutated.append([n, enc.encode(value)])
        return {"ok": True, "result": enc.encode(result), "mutated": mutated}, enc.buffers

    def serve(self):
        while True:
            try:
                header, buffers = wire.recv(self.sock)
            except EOFError:
                return
            op = header.get("op")
            try:
                if op == "exec":
                    reply, out = self.do_exec(header)
                elif op == "call":
                    reply, out = self.do_call(header, buffers)
                else:
                    reply, out = {"ok": False, "error": {"types": ["ValueError"], "message": f"op {op!r}"}}, []
                wire.send(self.sock, reply, out)
            except BaseException as exc:  # noqa: B036  (a value that cannot be sent back, for one)
                wire.send(self.sock, self._error(exc), [])


def _snapshot(value):
    enc = wire.Encoder(other=id)
    try:
        tree = enc.encode(value)
    except Exception:
        return None
    return repr(tree), enc.buffers


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    torch_allowed = sys.argv[2:] == ["--allow-torch"]
    sys.argv = sys.argv[:1]
    if not torch_allowed:
        sys.meta_path.insert(0, _NoTorch())
    # what the student's code prints goes nowhere: the protocol owns the socket, not stdout
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    Server(sock).serve()


if __name__ == "__main__":
    main()
