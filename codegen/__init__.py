"""vendor-clients code generator: OpenAPI 3.1 schemas to typed, vendorable Python clients.

Rooms, by folder:

- ``openapi.py``: the OpenAPI vocabulary every part reads documents with (HTTP methods,
  where operations are, schema keywords);
- ``schema/``: loading a schema file and validating it, every problem reported at once;
- ``ir.py``: the intermediate model (operations, parameters, auth, envelopes, models);
- ``render/``: turning the intermediate model into files (models through
  datamodel-code-generator, the rest through codegen's own templates);
- ``templates/``: the templates, including the runtime every package carries;
- ``pipeline.py``: generate and check, for one vendor or all;
- ``cli.py``: the ``python -m codegen`` command line.
"""

__version__ = "0.1.0"
