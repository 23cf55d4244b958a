# nbgrader reads ./nbgrader_config.py; the workbook's settings live in autograder/.
c = get_config()  # noqa: F821
load_subconfig("autograder/nbgrader_config.py")  # noqa: F821
