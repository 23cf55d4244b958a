"""Make a helper module's public functions impossible to rebind from a notebook.

A student cell could write ``source_helpers.checks.check_array = lambda *a, **k: None`` (or poke the
module's ``__dict__``) so that later test cells pass. After ``seal(__name__, names)``, assigning or
deleting any attribute of the module raises, and the public names always resolve to the originals,
whatever the module's ``__dict__`` holds. (Code that replaces ``sys.modules`` entries or builtins is
not stopped here; the class grader flags such code for a human to read.)
"""

from __future__ import annotations

import sys
import types
from types import MappingProxyType


def seal(module_name: str, public: list[str]) -> None:
    module = sys.modules[module_name]
    originals = MappingProxyType({name: getattr(module, name) for name in public})

    class SealedModule(types.ModuleType):
        def __getattribute__(self, name):
            if name in originals:
                return originals[name]
            return types.ModuleType.__getattribute__(self, name)

        def __setattr__(self, name, value):
            raise AttributeError(f"{module_name} is read-only: the tests rely on it")

        def __delattr__(self, name):
            raise AttributeError(f"{module_name} is read-only: the tests rely on it")

    types.ModuleType.__setattr__(module, "__class__", SealedModule)
