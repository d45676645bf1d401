"""Benchmarks of vendor-clients against the tools users would pick instead (``nox -s bench``).

Every figure is a median of repeated runs, and every target is a ratio measured side by
side in the same run (project / peer), never an absolute time: the machine is shared and
noisy. The samples of the sides of a comparison are taken in turn, in a rotating order, so
that drift hits all of them. Beside the ratio of the medians (the figure judged), the
table shows the ratio of the fastest samples ("best-of"), which a busy machine disturbs
less, and marks a row "(noisy)" when the two disagree on meeting its target.

Benchmarks (``--only`` takes their names, comma-separated), one module per family; what
each measures, against which peer and with which target, is in its module's docstring:

- ``generation`` (generation.py): regenerating every vendor, against openapi-python-client;
  and (whole_specs.py) generating the three published specs whole, after ``codegen import
  --all``, stating what each side omitted;
- ``scaling`` (scaling.py): codegen on the full published Chift spec and subsets of it;
- ``decode`` / ``encode`` (codecs.py): JSON <-> typed objects, with and without orjson,
  against pydantic v2 and openapi-python-client's attrs models;
- ``per-call`` (per_call.py): a call on loopback, against raw urllib3;
- ``async`` (async_calls.py): ``AsyncClient`` per call against raw httpx, and 100 concurrent
  calls against ``Client`` on 16 threads;
- ``import`` (imports.py): ``import generated.chift``, against the official Chift SDK.

harness.py holds what they share (settings, rows, sampling, child processes, peers),
report.py the table and the JSON, cli.py the command line.

A peer that is not installed leaves its side empty with a note, and the run exits with
status 1 after printing the table; ``pip install -r requirements/bench.txt`` installs
them all. Usage::

    python -m bench [--output bench-results/latest.json] [--quick | --smoke]
                    [--only decode,encode] [--markdown FILE] [--fail-on-miss]
"""
