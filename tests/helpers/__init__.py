"""Code shared by the tests; no tests here.

- :mod:`.paths`: the repository's folders, schema loading, running codegen in a subprocess;
- :mod:`.vendors`: credentials, clients of each vendor for loopback, schema examples, secret checks;
- :mod:`.loopback`: a real HTTP/1.1 server on 127.0.0.1 that answers from a script;
- :mod:`.flavours`: one test body for both ``Client`` and ``AsyncClient``;
- :mod:`.prism`: installing and running the Stoplight Prism mock server;
- :mod:`.schema_strategies` and :mod:`.hypothesis_profiles`: property-test inputs and profiles.
"""
