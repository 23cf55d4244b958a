"""nbgrader settings for everyone in a JupyterHub class: the course id and the exchange.

JupyterHub puts this folder on every user's JUPYTER_CONFIG_PATH (``jupyterhub_config.py`` beside this
file), so nbgrader in every single-user server and terminal reads it: students' fetch, submit and
fetch_feedback, the instructor's release, collect and release_feedback. The instructor's course settings
(gradebook, folders) stay in the course's own ``nbgrader_config.py``, which nbgrader reads from the course
root. ``make hub`` sets the two variables from its COURSE and EXCHANGE.
"""

import os

c = get_config()  # noqa: F821  (provided by traitlets when it loads this file)

# The exchange: a folder every account can reach, created by root (`make hub-exchange`): 1777 like /tmp,
# with the course's folder inside it owned by the instructor, as nbgrader's release creates it.
c.Exchange.root = os.environ.get("WORKBOOK_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("WORKBOOK_COURSE_ID", "cnn-workbook")
