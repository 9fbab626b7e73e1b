"""The exception tree and the exit code each branch maps to.

Exceptions are only for "cannot continue"; a check that could not run is an ``error`` finding,
not an exception. Every exception carries a message a user can act on and, where known, the
next step (``remedy``) and the place (``where``: ``file:line:col``, an endpoint, a step).

    PreflightError                 exit 3  a bug; never raised deliberately for user mistakes
    ├── InputError                 exit 2  the user's input is unusable: options, files, references
    │   └── ConfigError            exit 2  a Nextflow or preflight configuration file is malformed
    ├── ServiceError               exit 1  an external service refused; the gate says no
    │   ├── PlatformError                  Seqera Platform
    │   ├── AzureError                     Azure Resource Manager, Entra ID, ACR data plane
    │   └── RegistryError                  a registry's HTTP API
    └── ApplyError                 exit 1  `fix` could not finish; says exactly what remains

A service error says its own code when the cause is not a refusal: a rejected credential the
user configured (a Platform token Platform refuses, an Azure sign-in Azure refuses) is unusable
input, 2; no answer at all (connection, TLS, timeout, throttling, a server error) is 4, "cannot
reach": nothing is known to be wrong, and running again may pass.

Exit codes (the contract, the README's table): 0 pass, 1 findings (the gate says no),
2 unusable input, 3 internal error, 4 cannot reach a service, 130 interrupted.
"""

from __future__ import annotations

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_UNREACHABLE = 4
EXIT_INTERRUPTED = 130


class PreflightError(Exception):
    """Base of every deliberate preflight error."""

    exit_code: int = EXIT_INTERNAL

    def __init__(
        self, message: str, *, remedy: str = "", where: str = "", exit_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        self.where = where
        if exit_code is not None:  # this error's cause, where it is not its class's usual one
            self.exit_code = exit_code

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n  → {self.remedy}" if self.remedy else text


class InputError(PreflightError):
    """The user's input (an option, a file, a reference) cannot be used as given."""

    exit_code = EXIT_INPUT


class ConfigError(InputError):
    """A configuration file cannot be read or is malformed; ``where`` is ``file:line:col``."""


class ServiceError(PreflightError):
    """An external service refused the request or could not be reached."""

    exit_code = EXIT_FAIL


class PlatformError(ServiceError):
    """Seqera Platform answered with an error, or could not be reached."""


class AzureError(ServiceError):
    """Azure Resource Manager, Entra ID or the ACR data plane answered with an error."""


class RegistryError(ServiceError):
    """A container registry answered with an error, or could not be reached."""


class ApplyError(PreflightError):
    """Applying a plan failed part-way; the message says what was rolled back and what remains."""

    exit_code = EXIT_FAIL
