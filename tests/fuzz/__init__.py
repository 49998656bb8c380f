"""Fuzzing of every form and API write with hypothesis: never a server error, never a partial write.

- ``test_forms``: every HTML endpoint that accepts POST (found by walking the URL resolver; ``endpoints`` says who
  uses each one and which page holds its form, whose fields are read from the HTML);
- ``test_api_writes``: every write of the API (found in its OpenAPI schema);
- ``checks``: the properties; ``strategies``: what is sent; ``objects``: the world the examples post into.

By default a few reproducible examples per endpoint (the ``fuzz-ci`` profile, ``FUZZ_EXAMPLES`` to change the
count). To search further, at random: ``FUZZ_PROFILE=fuzz-deep FUZZ_EXAMPLES=200 pytest tests/fuzz``;
``FUZZ_REPORT=1`` prints the statuses each endpoint answered, ``FUZZ_DEBUG=1`` every example with its errors.
"""
