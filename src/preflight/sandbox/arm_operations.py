"""The ARM emulator's long-running operations: every change is made at once, and says so.

A created or updated resource answers with ``Azure-AsyncOperation``, a deleted one with 202 and
``Location``; both report success on their first poll with ``Retry-After: 0``, so no SDK ever
sleeps. Only operation ids this emulator handed out are known to the polls.
"""

from __future__ import annotations

import uuid
from typing import Any

from preflight.sandbox import arm_shapes as shapes
from preflight.sandbox.arm_rules import origin
from preflight.sandbox.http import Request, Response
from preflight.sandbox.state import RegistryState


class Operations:
    """The operation ids handed out so far, and the answers that announce and report them."""

    def __init__(self) -> None:
        self._known: set[str] = set()

    def _new(self) -> str:
        operation = f"token-{uuid.uuid4()}"
        self._known.add(operation)
        return operation

    def accepted(self, request: Request, status: int, body: Any) -> Response:
        """``status`` with an ``Azure-AsyncOperation`` that reports success on its first poll."""
        operation = self._new()
        url = (
            f"{origin(request)}{request.path}/operationStatuses/{operation}"
            f"?api-version={request.arg('api-version')}"
        )
        headers = [("Azure-AsyncOperation", url), ("Retry-After", "0")]
        return Response.of_json(status, body, headers)

    def deleted(self, request: Request, subscription: str, registry: RegistryState) -> Response:
        """202 with a ``Location`` whose first poll answers 200: the resource is gone."""
        operation = self._new()
        url = (
            f"{origin(request)}/subscriptions/{subscription}/providers/{shapes.PROVIDER}"
            f"/locations/{registry.location.upper()}/operationResults/{operation}"
            f"?api-version={request.arg('api-version')}"
        )
        return Response(
            202,
            [("Content-Type", "application/json"), ("Location", url), ("Retry-After", "0")],
            b"null",
        )

    def status(self, operation: str) -> Response:
        """The ``Azure-AsyncOperation`` poll."""
        if operation not in self._known:
            return shapes.arm_error(404, "OperationNotFound", f"Operation '{operation}' not found.")
        return Response.of_json(200, {"status": "Succeeded"})

    def result(self, operation: str) -> Response:
        """The ``Location`` poll of a delete."""
        if operation not in self._known:
            return shapes.arm_error(404, "OperationNotFound", f"Operation '{operation}' not found.")
        return Response(200, [("Content-Type", "application/json")])
