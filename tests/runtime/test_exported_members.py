"""The public surface of every generated package is pinned here, so it changes only on purpose.

In the manner of httpx's ``tests/test_exported_members.py``: each runtime module's
``__all__`` and the package's own ``__all__`` equal the lists below, every exported name
exists, and nothing public that a runtime module defines is left out of its ``__all__``.
Model classes are exported too; their names come from the schema, not from this list.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

from tests.helpers.paths import REPO, vendors

PACKAGE_EXPORTS = [
    "DEFAULT_BASE_URL",
    "AsyncClient",
    "AsyncTransport",
    "HttpxTransport",
    "NO_RETRY",
    "SERVERS",
    "UNSET",
    "BatchItem",
    "BatchResult",
    "CallResponse",
    "Client",
    "Download",
    "File",
    "FileInput",
    "Request",
    "Response",
    "RetryPolicy",
    "Timeout",
    "Transport",
    "UnsetType",
    "Urllib3Transport",
    "converter",
    "errors",
    "models",
    "structure",
    "testing",
    "unstructure",
]
"""What ``from generated.<vendor> import ...`` offers besides the model classes."""

MODULE_EXPORTS = {
    "client": ["DEFAULT_BASE_URL", "AsyncClient", "AsyncWithResponse", "Client", "WithResponse"],
    "_async_client": ["AsyncBaseClient"],
    "_auth": [
        "AsyncTokenFetch",
        "Auth",
        "BasicAuth",
        "CombinedAuth",
        "HeaderAuth",
        "NoAuth",
        "Secret",
        "TokenAuth",
        "TokenFetch",
        "build_auth",
        "token_exchanges",
    ],
    "_batch": ["BatchItem", "BatchResult"],
    "_bodies": ["Download", "File", "FileInput", "Readable", "download", "encode_body", "is_file", "is_json_type"],
    "_client": ["BaseClient", "check_base_url"],
    "_core": [
        "Attempts",
        "ClientCore",
        "Credentials",
        "Flow",
        "Pages",
        "PreparedRequest",
        "Retry",
        "Sleep",
        "Step",
        "check_base_url",
        "keyed",
        "new_key",
    ],
    "_lazy": ["LazyModule"],
    "_converter": ["converter", "make_converter", "structure", "unstructure"],
    "_datetimes": ["WireDatetime", "format_date", "format_datetime", "parse_date", "parse_datetime"],
    "_enums": ["OpenEnum", "OpenIntEnum", "OpenStrEnum"],
    "_httpx": ["INSTALL_HINT", "HttpxTransport"],
    "_json": ["decimal_text", "dumps", "finite_numbers", "fraction_decimal", "loads"],
    "_operation": [
        "KEY_SOURCE",
        "Batch",
        "Envelope",
        "Form",
        "FormField",
        "Idempotency",
        "IdempotencyLookup",
        "OperationSpec",
        "Pagination",
        "Param",
        "RateLimit",
        "ResponseMatch",
        "SchemeSpec",
        "TokenExchange",
        "json_equal",
        "pointer_get",
    ],
    "_ratelimit": ["RateLimiter"],
    "_tolerant": ["structure_tolerant"],
    "_response": ["CallResponse", "async_with_response", "record", "with_response"],
    "_retry": [
        "DEFAULT_RETRY",
        "DEFAULT_TIMEOUT",
        "IDEMPOTENT_METHODS",
        "NO_RETRY",
        "RetryPolicy",
        "Timeout",
        "parse_retry_after",
        "seconds_left",
    ],
    "_transport": ["AsyncTransport", "BodyBuffer", "Request", "Response", "Transport", "Urllib3Transport"],
    "_unset": ["UNSET", "UnsetType"],
    "_validation": ["SchemaValidator", "child_path", "json_type", "pattern_regex"],
    "errors": [
        "REQUEST_ID_HEADERS",
        "STATUS_ERRORS",
        "AlreadyProcessedError",
        "AuthenticationError",
        "BadRequestError",
        "BatchPartialFailure",
        "ClientError",
        "ConfigurationError",
        "ConflictError",
        "ConnectError",
        "ConnectTimeout",
        "ConnectionLost",
        "DecodeError",
        "EnvelopeError",
        "HTTPStatusError",
        "InProcessError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ReadTimeout",
        "RequestValidationError",
        "ResponseError",
        "ResponseTooLarge",
        "ResponseValidationWarning",
        "ServerError",
        "TransportError",
        "UnprocessableEntityError",
        "Violation",
        "request_id",
        "status_error_class",
    ],
    "testing": ["AsyncMockTransport", "MockTransport", "Request", "Response", "json_response"],
}
"""Each module's ``__all__``: every runtime module (codegen/templates/runtime) and client.py."""

GROUP_CLASSES = {
    "billbee": [
        "CustomersOperations",
        "AsyncCustomersOperations",
        "CustomersOperationsWithResponse",
        "AsyncCustomersOperationsWithResponse",
    ],
    "cin7_omni": [
        "ContactsOperations",
        "AsyncContactsOperations",
        "ContactsOperationsWithResponse",
        "AsyncContactsOperationsWithResponse",
    ],
    "formation": [
        "ContactsOperations",
        "AsyncContactsOperations",
        "ContactsOperationsWithResponse",
        "AsyncContactsOperationsWithResponse",
    ],
}
"""client.py also exports each group's class (one per first tag) and its ``with_response`` view, sync and async."""

RUNTIME_MODULES = sorted(path.stem for path in (REPO / "codegen" / "templates" / "runtime").glob("*.py"))


def module(vendor: str, name: str | None = None) -> ModuleType:
    """``generated.<vendor>`` or one of its modules."""
    return importlib.import_module(f"generated.{vendor}" + (f".{name}" if name else ""))


def exported(target: ModuleType) -> list[str]:
    """``target.__all__``, checked to be a list of distinct names."""
    names = target.__all__
    assert isinstance(names, list)
    assert len(set(names)) == len(names), f"{target.__name__}.__all__ repeats a name"
    return list(names)


def defined_here(target: ModuleType) -> set[str]:
    """Public classes and functions that ``target`` itself defines (not those it imports)."""
    return {
        name
        for name, value in vars(target).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and value.__module__ == target.__name__
    }


def test_every_runtime_module_is_pinned() -> None:
    assert set(RUNTIME_MODULES) == set(MODULE_EXPORTS) - {"client"}


@pytest.mark.parametrize("vendor", vendors())
def test_package_exports(vendor: str) -> None:
    package = module(vendor)
    names = exported(package)
    models = module(vendor, "models")
    model_classes = defined_here(models)
    assert sorted(set(names) - model_classes) == sorted(PACKAGE_EXPORTS)
    assert model_classes <= set(names), f"model classes not exported: {sorted(model_classes - set(names))}"
    for name in names:
        assert hasattr(package, name), f"generated.{vendor}.__all__ names {name!r}, which does not exist"


@pytest.mark.parametrize("vendor", vendors())
@pytest.mark.parametrize("name", sorted(MODULE_EXPORTS))
def test_module_exports(vendor: str, name: str) -> None:
    target = module(vendor, name)
    names = exported(target)
    assert sorted(names) == sorted(MODULE_EXPORTS[name] + (GROUP_CLASSES.get(vendor, []) if name == "client" else []))
    for member in names:
        assert hasattr(target, member), f"{target.__name__}.__all__ names {member!r}, which does not exist"
    missing = defined_here(target) - set(names)
    assert not missing, f"{target.__name__} defines public {sorted(missing)} without exporting them"
