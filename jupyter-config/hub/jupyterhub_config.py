"""JupyterHub for one class of the workbook: local accounts, nbgrader's exchange, the instructor's course.

Started by ``make hub`` (``python -m autograder.hub``), which checks the accounts, makes the exchange and
sets the WORKBOOK_* variables read here (the instructor, the students, the course id, the exchange, the
instructor's course folder). Everyone logs in with their own password (PAM); each server runs as its user
(LocalProcessSpawner) from this repository's environment. tests/test_hub.py starts this file as it is.
"""

import sys
from pathlib import Path

from autograder.hub import Classroom  # installed with the workbook (pip install -e .)

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

room = Classroom.from_environment()

c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(room.users)
c.JupyterHub.spawner_class = "localprocess"
# the environment that runs the hub runs everyone's server (nbgrader and its extensions, the workbook)
c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL"]


def per_user(spawner):
    """The instructor serves the course (Formgrader, course list); students their homes, without them."""
    user = spawner.user.name
    spawner.environment.update(room.user_environment(user))
    spawner.notebook_dir = room.notebook_dir(user)


c.Spawner.pre_spawn_hook = per_user
