"""The soak under faults (``manage.py soak``): ``run`` drives it, ``verdict`` judges it."""
