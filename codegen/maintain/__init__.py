"""Maintainers' tooling: import from vendors' specs, report schema changes, vendor a client.

Modules, by job:

- ``documents``: reading a published spec (JSON or YAML) with located problems;
- ``convert``: Swagger 2.0 and OpenAPI 3.0 documents to the OpenAPI 3.1 form codegen reads;
- ``operations``: operations named ``METHOD /path`` and found in a document;
- ``spec_import``: ``import``, operations picked from a spec into ``schemas/<vendor>/``;
- ``schema_diff``: ``diff``, each change classified as breaking or compatible for a client user;
- ``changes``: the schema snapshot kept beside each package and its ``CHANGES.md`` entries;
- ``vendoring``: ``vendor``, a generated package copied under another name, and its staleness check;
- ``commands``: the ``import``, ``diff`` and ``vendor`` subcommands of ``python -m codegen``.
"""
