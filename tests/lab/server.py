"""The JupyterLab server of the browser tests: on loopback, with a random token, the project's environment
and the student configuration (``jupyter-config/student``, what ``make lab`` uses), over a copy of the
notebooks so that running and saving them never touches the repository."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from autograder.course import REPO

STUDENT_CONFIG = REPO / "jupyter-config" / "student"
KOREAN_LAB_SETTINGS = REPO / "jupyter-config" / "ko" / "lab-settings"  # what make lab LANG=ko gives JupyterLab
LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the server is local: never via a proxy


def http_get(url: str, token: str, timeout: float = 10) -> tuple[int, str]:
    """(status, body) of a GET to a local Jupyter server with its token; (0, "") while it is not listening."""
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with LOOPBACK.open(req, timeout=timeout) as r:
            return r.status, r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except OSError:  # not listening (yet)
        return 0, ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def course_copy(dest: Path) -> Path:
    """The notebooks a student opens, plus what nbgrader's Validate reads (the course's config)."""
    for folder in ("lessons", "solutions"):
        shutil.copytree(REPO / folder, dest / folder)
    (dest / "autograder").mkdir()
    shutil.copy(REPO / "autograder" / "nbgrader_config.py", dest / "autograder")
    shutil.copy(REPO / "nbgrader_config.py", dest)
    for doc in ("GLOSSARY.md", "README.md"):
        if (REPO / doc).exists():
            shutil.copy(REPO / doc, dest)
    return dest


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path

    def notebook_url(self, path: str) -> str:
        # ?reset: a fresh workspace, so only this notebook is open
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def shutdown_kernels(self) -> None:
        """Stop every kernel (between notebooks: each one a student closes would otherwise keep running)."""
        for kernel in json.loads(self.get("/api/kernels")[1] or "[]"):
            req = urllib.request.Request(
                f"{self.url}/api/kernels/{kernel['id']}",
                method="DELETE",
                headers={"Authorization": f"token {self.token}"},
            )
            LOOPBACK.open(req, timeout=30).close()

    def get(self, path: str) -> tuple[int, str]:
        return http_get(f"{self.url}{path}", self.token)


@contextlib.contextmanager
def jupyter_lab(root: Path, state: Path, disabled_extensions: list[str] = (), edition: str = "en"):
    """Start ``jupyter lab`` on 127.0.0.1 with a random token, serving ``root``.

    ``state`` holds everything the server writes (settings, workspaces, runtime files).
    ``disabled_extensions`` are switched off on top of the student configuration (the negative test
    uses it to remove the widget manager). ``edition="ko"`` starts it as ``make lab LANG=ko`` does: JupyterLab's
    interface in Korean (its language pack, chosen by the settings in ``jupyter-config/ko``)."""
    token = secrets.token_hex(16)
    port = free_port()
    config_path = [str(STUDENT_CONFIG)]
    if disabled_extensions:
        extra = state / "extra-config"
        (extra / "labconfig").mkdir(parents=True)
        (extra / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in disabled_extensions}})
        )
        config_path.insert(0, str(extra))
    settings = state / "settings"
    # every cell stays in the DOM; no news or update pop-ups over the notebook
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        file = settings / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "JUPYTER_PATH")}
    env.update(
        JUPYTER_CONFIG_PATH=os.pathsep.join(config_path),
        JUPYTER_CONFIG_DIR=str(state / "user-config"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        IPYTHONDIR=str(state / "ipython"),
    )
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    argv = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={state / 'workspaces'}",
        # window.jupyterapp, so a test can wait until every plugin (the widget manager) is active
        "--LabApp.expose_app_in_browser=True",
    ]
    if edition == "ko":
        argv.append(f"--LabApp.app_settings_dir={KOREAN_LAB_SETTINGS}")
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")
    log = state / "jupyter-lab.log"
    with open(log, "w") as out:
        process = subprocess.Popen(argv, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        deadline = time.monotonic() + 90
        while lab.get("/api/status")[0] != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("JupyterLab did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.3)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
