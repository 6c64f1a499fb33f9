"""The catalogue: the services residents can ask for, their hours and closures, and the
admin pages that set them (routes.py holds the ``settings`` blueprint)."""
