"""HTTP load test of the production shape (`make serve`): issue #19 item 3, shared with #20.

- ``locustfile.py``: the request mix (officers, legal, API clients), independent of Django.
- ``accounts.py``: creates the load-test accounts and the JSON file the locustfile reads.
- ``server.py``: finds the server's processes (by the port it listens on) and samples their CPU
  and memory while the test runs.
- ``report.py``: turns Locust's CSV statistics and the samples into the printed summary.

The commands ``manage.py loadtest_accounts`` and ``manage.py load_test`` (tools app: development
and test settings only) are thin wrappers.
"""
