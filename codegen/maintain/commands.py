"""The maintainers' subcommands of ``python -m codegen``: ``import``, ``diff``, ``vendor`` and ``build``.

Exit statuses: 0 done (``diff`` whatever it found), 1 ``diff --fail-on-breaking`` found a
breaking change, ``vendor --check`` found a stale copy or ``build``'s backend failed, 2 bad
input (missing or unreadable file, unknown operation, a schema codegen would reject), never
a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from codegen.maintain.convert import normalise
from codegen.maintain.distribution import BuildError, build_distribution
from codegen.maintain.documents import load_spec
from codegen.maintain.operations import OperationKey, missing_operations, operations_of, parse_operation
from codegen.maintain.schema_diff import diff_documents, render
from codegen.maintain.spec_import import import_operations
from codegen.maintain.vendoring import VendorError, check_vendored, vendor_package
from codegen.problems import SchemaError

COMMANDS = ("import", "diff", "vendor", "build")


def add_parsers(commands: Any) -> None:
    """Add ``import``, ``diff``, ``vendor`` and ``build`` to the subcommands of ``python -m codegen``."""
    text = "import operations from a vendor's published spec into schemas/<vendor>/openapi.json"
    command = commands.add_parser("import", help=text, description=text)
    command.add_argument("spec", type=Path, metavar="SPEC", help="OpenAPI 3.0/3.1 or Swagger 2.0, JSON or YAML")
    _operation_argument(command, "")
    command.add_argument(
        "--tag", action="append", default=None, metavar="TAG", help="every operation with this tag; repeat for more"
    )
    command.add_argument("--all", action="store_true", help="every operation of SPEC")
    command.add_argument("--vendor", required=True, help="the folder under --schemas (a package name)")
    command.add_argument("--schemas", type=Path, default=Path("schemas"), help="default: %(default)s")

    text = "report schema changes as breaking or compatible for users of the generated client"
    command = commands.add_parser("diff", help=text, description=text)
    command.add_argument("old", type=Path, metavar="OLD", help="a schema or published spec (JSON or YAML)")
    command.add_argument("new", type=Path, metavar="NEW", help="a schema or published spec (JSON or YAML)")
    _operation_argument(command, " (default: all)")
    command.add_argument("--format", choices=("text", "json"), default="text", help="default: %(default)s")
    command.add_argument("--fail-on-breaking", action="store_true", help="exit 1 when a change is breaking")

    text = "copy generated/<VENDOR>/ into DEST/NAME/ as a vendored package, or --check that copy"
    command = commands.add_parser("vendor", help=text, description=text)
    command.add_argument("vendor", metavar="VENDOR", help="a package of --generated")
    command.add_argument("dest", type=Path, metavar="DEST", help="the folder that will hold the package")
    command.add_argument("--package", required=True, metavar="NAME", help="the package name in DEST")
    command.add_argument("--generated", type=Path, default=Path("generated"), help="default: %(default)s")
    command.add_argument("--check", action="store_true", help="exit 1 when DEST/NAME is stale or was edited")

    text = "build a wheel and an sdist of generated/<VENDOR>/ under a top-level package name of your choice"
    command = commands.add_parser("build", help=text, description=text)
    command.add_argument("vendor", metavar="VENDOR", help="a package of --generated")
    command.add_argument("--out", type=Path, required=True, metavar="DIR", help="the folder for the wheel and sdist")
    command.add_argument("--package", metavar="NAME", help="the top-level package name (default: VENDOR)")
    command.add_argument("--generated", type=Path, default=Path("generated"), help="default: %(default)s")


def _operation_argument(command: argparse.ArgumentParser, default: str) -> None:
    command.add_argument(
        "--operation",
        action="append",
        default=None,
        metavar="'METHOD /path'",
        help="an operation, e.g. 'POST /contacts'; repeat for more" + default,
    )


def run(args: argparse.Namespace) -> int:
    """Run one of COMMANDS; problems a user can cause are printed one per line, status 2."""
    try:
        operations = [parse_operation(text) for text in getattr(args, "operation", None) or []]
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "import":
            return _import(args, operations)
        if args.command == "diff":
            return _diff(args, operations)
        if args.command == "build":
            return _build(args)
        return _vendor(args)
    except (SchemaError, VendorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _import(args: argparse.Namespace, operations: list[OperationKey]) -> int:
    if args.all and (operations or args.tag):
        print("error: --all imports every operation; give it without --operation or --tag", file=sys.stderr)
        return 2
    if not (args.all or operations or args.tag):
        print("error: say what to import: --operation 'METHOD /path', --tag TAG or --all", file=sys.stderr)
        return 2
    result = import_operations(
        args.spec, operations, args.vendor, args.schemas, tags=args.tag or [], everything=args.all
    )
    print(result.report())
    return 0


def _diff(args: argparse.Namespace, operations: list[OperationKey]) -> int:
    old = normalise(load_spec(args.old), str(args.old))
    new = normalise(load_spec(args.new), str(args.new))
    if operations:
        # An operation only one side has is reported as added or removed; in neither, it is a typo.
        present = [key for document in (old, new) for key, _, _ in operations_of(document.document)]
        problems = missing_operations(present, operations, f"{args.old} or {args.new}")
        if problems:
            raise SchemaError("diff", problems)
    report = diff_documents(old, new, operations or None, old_label=args.old.as_posix(), new_label=args.new.as_posix())
    sys.stdout.write(render(report, args.format))
    return 1 if args.fail_on_breaking and report.breaking else 0


def _vendor(args: argparse.Namespace) -> int:
    if args.check:
        stale = check_vendored(args.vendor, args.dest, args.package, args.generated)
        target = args.dest / args.package
        if stale:
            for problem in stale:
                print(f"{target}: {problem}", file=sys.stderr)
            print(
                f"{target} is stale: run `python -m codegen vendor {args.vendor} {args.dest} --package {args.package}`",
                file=sys.stderr,
            )
            return 1
        print(f"{target} is up to date with {args.generated / args.vendor}")
        return 0
    result = vendor_package(args.vendor, args.dest, args.package, args.generated)
    print(result.report())
    return 0 if result.verified else 1


def _build(args: argparse.Namespace) -> int:
    result = build_distribution(args.vendor, args.out, args.package or args.vendor, args.generated)
    print(result.report())
    return 0
