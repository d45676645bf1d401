"""Loading a schema file and checking it before anything is generated."""

from codegen.schema.check import check_document
from codegen.schema.load import Document, follow_refs, load_document, resolve_pointer

__all__ = ["Document", "check_document", "follow_refs", "load_document", "resolve_pointer"]
